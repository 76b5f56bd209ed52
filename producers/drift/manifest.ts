/**
 * A run's drift manifest: the true change points of its schedule, in simulated time, derived from
 * its settings alone (every shard, the producer and the control plane get the same list). Weekends
 * are a weekly rhythm, not change points; paydays and holidays are listed for the run's `days`.
 */
import type { GeneratorConfig } from '../config.ts';
import { SCENARIOS } from '../fraud/index.ts';
import { DAY_MS } from '../transactions/rhythm.ts';
import { CATEGORIES } from '../world/categories.ts';
import { DriftTimeline, type Levels } from './timeline.ts';

export const DRIFT_KINDS = ['SCENARIO_RATE', 'SCENARIO_PARAMS', 'CATEGORY_MIX', 'PAYDAY', 'HOLIDAY'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** One change point: the DriftChange record (schemas/drift-change.avsc) and a drift_changes row. */
export interface DriftChange {
  runId: string;
  seq: number;
  kind: DriftKind;
  subject: string;
  startDay: number;
  endDay: number;
  startTime: number;
  endTime: number;
  fromValue: number | null;
  toValue: number | null;
  params: string | null;
  description: string;
}

type Unnumbered = Omit<DriftChange, 'runId' | 'seq' | 'startTime' | 'endTime'>;

const times = (value: number) => `×${Number(value.toFixed(4))}`;
const span = (startDay: number, endDay: number) =>
  startDay === endDay ? `on day ${startDay}` : `over days ${startDay}–${endDay}`;

function levelChanges(
  kind: DriftKind,
  subject: string,
  levels: Levels | undefined,
  what: string,
): Unnumbered[] {
  return (levels?.changes ?? []).map((keyframe) => ({
    kind,
    subject,
    startDay: keyframe.day,
    endDay: keyframe.day + keyframe.rampDays,
    fromValue: keyframe.from,
    toValue: keyframe.target,
    params: null,
    description: `${subject} ${what} ${times(keyframe.from)} → ${times(keyframe.target)} ${span(keyframe.day, keyframe.day + keyframe.rampDays)}`,
  }));
}

export function driftManifest(config: GeneratorConfig, startMs: number): DriftChange[] {
  const timeline = new DriftTimeline(config.drift, startMs);
  const changes: Unnumbered[] = [];
  for (const scenario of SCENARIOS) {
    changes.push(
      ...levelChanges('SCENARIO_RATE', scenario.name, timeline.scenarioRate(scenario.name), 'fraud rate'),
    );
    for (const change of config.drift.scenarios) {
      if (change.scenario !== scenario.name || change.params === undefined) continue;
      const params = JSON.stringify(change.params);
      changes.push({
        kind: 'SCENARIO_PARAMS',
        subject: scenario.name,
        startDay: change.day,
        endDay: change.day,
        fromValue: null,
        toValue: null,
        params,
        description: `${scenario.name} parameters ${params} from day ${change.day}`,
      });
    }
  }
  for (const spec of CATEGORIES)
    changes.push(
      ...levelChanges(
        'CATEGORY_MIX',
        spec.category,
        timeline.categoryLevels(spec.category),
        'share of the mix',
      ),
    );
  const { paydayFactor, holidays } = config.drift.seasonality;
  for (let day = 0; day < config.days; day++) {
    if (!timeline.isPayday(day)) continue;
    const date = new Date(timeline.dayStartMs(day)).toISOString().slice(0, 10);
    changes.push({
      kind: 'PAYDAY',
      subject: date,
      startDay: day,
      endDay: day,
      fromValue: 1,
      toValue: paydayFactor,
      params: null,
      description: `payday ${date}: purchases ${times(paydayFactor)}`,
    });
  }
  for (const holiday of holidays) {
    const day = Math.round((Date.parse(`${holiday.date}T00:00:00Z`) - startMs) / DAY_MS);
    if (day < 0 || day >= config.days) continue;
    changes.push({
      kind: 'HOLIDAY',
      subject: holiday.date,
      startDay: day,
      endDay: day,
      fromValue: 1,
      toValue: holiday.factor,
      params: null,
      description: `holiday ${holiday.date}: purchases ${times(holiday.factor)}`,
    });
  }
  // In order of time; on one day, in the order above (a sort is stable).
  changes.sort((a, b) => a.startDay - b.startDay);
  return changes.map((change, seq) => ({
    runId: config.runId,
    seq,
    ...change,
    startTime: startMs + change.startDay * DAY_MS,
    endTime:
      startMs +
      (change.kind === 'PAYDAY' || change.kind === 'HOLIDAY' ? change.endDay + 1 : change.endDay) * DAY_MS,
  }));
}
