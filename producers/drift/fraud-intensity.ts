/**
 * How much of its usual fraud each scenario makes on a day under the drift schedule. A scenario's
 * share of all transactions on day d is its configured share × its rate multiplier m(d); because
 * fraud that adds purchases also grows the total, the fraud per legitimate purchase a scenario must
 * make is share·m(d) / (1 − a(d)), a(d) being the added scenarios' combined share that day. A
 * scenario's intensity is that over the same without drift: what it multiplies its episode
 * probability by.
 */
import type { FraudShare } from '../fraud/shares.ts';
import type { DriftTimeline, Levels } from './timeline.ts';

export interface ScenarioShare {
  name: string;
  /** Its share of all transactions without drift (the fraud rate split by weight). */
  share: number;
  /** True when the scenario adds purchases (false: it turns the customer's own into fraud). */
  adds: boolean;
  rate: Levels;
}

export class FraudIntensity {
  private cachedDay = Number.NaN;
  private readonly cached: Float64Array;
  private readonly baseAdded: number;
  private readonly scenarios: readonly ScenarioShare[];

  constructor(scenarios: readonly ScenarioShare[]) {
    this.scenarios = scenarios;
    this.cached = new Float64Array(scenarios.length);
    this.baseAdded = scenarios.reduce((sum, scenario) => sum + (scenario.adds ? scenario.share : 0), 0);
  }

  /** The added scenarios' combined share of all transactions on a day. */
  private addedOn(dayIndex: number): number {
    let added = 0;
    for (const scenario of this.scenarios)
      if (scenario.adds) added += scenario.share * scenario.rate.at(dayIndex);
    return added;
  }

  /** Scenario `index`'s intensity on a day (computed once per day for every scenario). */
  of(index: number, dayIndex: number): number {
    if (dayIndex !== this.cachedDay) {
      const scale = (1 - this.baseAdded) / (1 - this.addedOn(dayIndex));
      for (let i = 0; i < this.scenarios.length; i++) {
        this.cached[i] = (this.scenarios[i] as ScenarioShare).rate.at(dayIndex) * scale;
      }
      this.cachedDay = dayIndex;
    }
    return this.cached[index] as number;
  }

  /**
   * Every day where some level turns, within [0, lastDay]: each intensity is a ratio of linear
   * functions between two of them, so its extremes are on them.
   */
  private corners(lastDay: number): number[] {
    const days = new Set<number>([0, lastDay]);
    for (const scenario of this.scenarios)
      for (const day of scenario.rate.corners()) if (day <= lastDay) days.add(day);
    return [...days];
  }

  /** The highest intensity of scenario `index` on days 0 … lastDay. */
  peak(index: number, lastDay: number): number {
    const scenario = this.scenarios[index] as ScenarioShare;
    let peak = 0;
    for (const day of this.corners(lastDay)) {
      const intensity = (scenario.rate.at(day) * (1 - this.baseAdded)) / (1 - this.addedOn(day));
      if (intensity > peak) peak = intensity;
    }
    return peak;
  }

  /** The highest fraud rate (all scenarios' shares of all transactions) on days 0 … lastDay. */
  peakFraudRate(lastDay: number): number {
    let peak = 0;
    for (const day of this.corners(lastDay)) {
      let rate = 0;
      for (const scenario of this.scenarios) rate += scenario.share * scenario.rate.at(day);
      if (rate > peak) peak = rate;
    }
    return peak;
  }
}

/** The run's scenarios, each with its rate schedule from the timeline. */
export function fraudIntensityOf(shares: readonly FraudShare[], timeline: DriftTimeline): FraudIntensity {
  return new FraudIntensity(
    shares.map(({ scenario, share, adds }) => ({
      name: scenario.name,
      share,
      adds,
      rate: timeline.scenarioRate(scenario.name),
    })),
  );
}
