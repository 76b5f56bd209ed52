/**
 * A run's drift compiled once: the level of every scheduled quantity on each simulated day. The
 * simulation asks for a day's conditions once per day (not per customer), the scenarios for their
 * rate multiplier once per customer-day.
 */
import { DAY_MS, weekdayFactor } from '../transactions/rhythm.ts';
import { CATEGORIES } from '../world/categories.ts';
import type { CategoryChange, DriftConfig, ScenarioChange } from './schema.ts';

/** One step or ramp of a level: from the level it finds on `day` to `target` over `rampDays`. */
interface Keyframe {
  day: number;
  rampDays: number;
  from: number;
  target: number;
}

/**
 * A level over simulated days, piecewise linear: each change starts from the level it finds on its
 * day (a ramp still under way is cut short by the next change) and reaches its target `rampDays`
 * later; before the first change the level is `initial`.
 */
export class Levels {
  private readonly keyframes: Keyframe[] = [];
  private readonly initial: number;

  constructor(changes: readonly { day: number; rampDays: number; target: number }[], initial = 1) {
    this.initial = initial;
    // Stable: two changes on one day apply in the order written, the later one winning.
    const sorted = [...changes].sort((a, b) => a.day - b.day);
    for (const change of sorted) this.keyframes.push({ ...change, from: this.at(change.day) });
  }

  at(dayIndex: number): number {
    let level = this.initial;
    for (const keyframe of this.keyframes) {
      if (keyframe.day > dayIndex) break;
      const progress =
        keyframe.rampDays === 0 ? 1 : Math.min(1, (dayIndex - keyframe.day) / keyframe.rampDays);
      level = keyframe.from + (keyframe.target - keyframe.from) * progress;
    }
    return level;
  }

  /** The days on which the level is at a corner (where its extremes are). */
  corners(): number[] {
    return [0, ...this.keyframes.flatMap((keyframe) => [keyframe.day, keyframe.day + keyframe.rampDays])];
  }

  get changes(): readonly Readonly<Keyframe>[] {
    return this.keyframes;
  }
}

/** What one simulated day is like for every customer. */
export interface DayConditions {
  /** Purchases that day as a multiple of a customer's usual daily count (weekday × payday × holiday). */
  activity: number;
  /** Each category's weight multiplier in the customers' mix that day, or null when unshifted. */
  categoryWeights: Float64Array | null;
  /** The largest of `categoryWeights` (for drawing by rejection). */
  categoryPeak: number;
}

/** The day of the month counted from its end when negative (-1: the last day). */
function isPayday(dayStartMs: number, paydays: readonly number[]): boolean {
  if (paydays.length === 0) return false;
  const date = new Date(dayStartMs);
  const dayOfMonth = date.getUTCDate();
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  return paydays.some((payday) => (payday > 0 ? payday : daysInMonth + 1 + payday) === dayOfMonth);
}

export class DriftTimeline {
  private readonly categories: readonly Levels[] | null;
  private readonly holidays: ReadonlyMap<number, number>;
  private readonly scenarioLevels = new Map<string, Levels>();
  private readonly drift: DriftConfig;
  private readonly startMs: number;

  constructor(drift: DriftConfig, startMs: number) {
    this.drift = drift;
    this.startMs = startMs;
    this.categories =
      drift.categories.length === 0
        ? null
        : CATEGORIES.map(
            (spec) =>
              new Levels(
                drift.categories
                  .filter((change: CategoryChange) => change.category === spec.category)
                  .map((change) => ({ day: change.day, rampDays: change.rampDays, target: change.share })),
              ),
          );
    const holidays = new Map<number, number>();
    for (const holiday of drift.seasonality.holidays) {
      const at = Date.parse(`${holiday.date}T00:00:00Z`);
      holidays.set(at, (holidays.get(at) ?? 1) * holiday.factor);
    }
    this.holidays = holidays;
  }

  dayStartMs(dayIndex: number): number {
    return this.startMs + dayIndex * DAY_MS;
  }

  /** The calendar's multiple of usual activity on a day, holidays and paydays included. */
  activity(dayIndex: number): number {
    const dayStartMs = this.dayStartMs(dayIndex);
    const { weekends, paydays, paydayFactor } = this.drift.seasonality;
    let factor = weekends ? weekdayFactor(dayStartMs) : 1;
    if (isPayday(dayStartMs, paydays)) factor *= paydayFactor;
    return factor * (this.holidays.get(dayStartMs) ?? 1);
  }

  isPayday(dayIndex: number): boolean {
    return isPayday(this.dayStartMs(dayIndex), this.drift.seasonality.paydays);
  }

  conditions(dayIndex: number): DayConditions {
    if (!this.categories)
      return { activity: this.activity(dayIndex), categoryWeights: null, categoryPeak: 1 };
    const weights = Float64Array.from(this.categories, (levels) => levels.at(dayIndex));
    return {
      activity: this.activity(dayIndex),
      categoryWeights: weights,
      categoryPeak: Math.max(...weights),
    };
  }

  categoryLevels(category: string): Levels | undefined {
    const index = CATEGORIES.findIndex((spec) => spec.category === category);
    return this.categories?.[index];
  }

  /** A scenario's rate multiplier over the days (1 throughout when nothing is scheduled for it). */
  scenarioRate(scenario: string): Levels {
    let levels = this.scenarioLevels.get(scenario);
    if (!levels) {
      levels = new Levels(
        this.drift.scenarios
          .filter((change: ScenarioChange) => change.scenario === scenario && change.rate !== undefined)
          .map((change) => ({ day: change.day, rampDays: change.rampDays, target: change.rate as number })),
      );
      this.scenarioLevels.set(scenario, levels);
    }
    return levels;
  }

  /** A scenario's parameters by day: the configured ones from day 0, each change's from its day. */
  paramRegimes(
    scenario: string,
    base: Readonly<Record<string, unknown>>,
  ): { fromDay: number; params: Record<string, unknown> }[] {
    const regimes = [{ fromDay: 0, params: { ...base } }];
    const changes = this.drift.scenarios
      .filter((change) => change.scenario === scenario && change.params !== undefined)
      .sort((a, b) => a.day - b.day);
    for (const change of changes) {
      const previous = regimes[regimes.length - 1] as { fromDay: number; params: Record<string, unknown> };
      const params = { ...previous.params, ...change.params };
      if (change.day === previous.fromDay) previous.params = params;
      else regimes.push({ fromDay: change.day, params });
    }
    return regimes;
  }
}
