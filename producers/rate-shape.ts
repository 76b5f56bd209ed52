/**
 * A realtime run's target rate over time: constant, or a schedule of stages (a daily curve, bursts),
 * each holding a rate or ramping to it linearly from the one before, optionally repeated. Pacing
 * asks two things of it: how many events are due by a moment (the integral of the rate) and when a
 * count falls due (its inverse), so that a step late on one stage is made up on the next, as with a
 * constant rate.
 */
import Type, { type Static } from 'typebox';

export const RateShapeSchema = Type.Object(
  {
    stages: Type.Array(
      Type.Object(
        {
          durationSeconds: Type.Number({ exclusiveMinimum: 0 }),
          ratePerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000 }),
          ramp: Type.Boolean({
            default: false,
            description: 'Ramp linearly from the previous stage’s rate instead of holding this one',
          }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
    repeat: Type.Boolean({
      default: true,
      description:
        'Start again from the first stage after the last (a daily curve); false holds the last rate',
    }),
  },
  {
    additionalProperties: false,
    description:
      'Realtime: the target rate over time in stages (replaces ratePerSecond until a rate is set live)',
  },
);

export type RateShapeSettings = Static<typeof RateShapeSchema>;
type RateStage = RateShapeSettings['stages'][number];

/** The precomputed segments: start time, start rate, end rate, and the events due before it. */
interface Segment {
  start: number;
  end: number;
  from: number;
  to: number;
  before: number;
}

export class RateSchedule {
  private readonly segments: Segment[];
  private readonly period: number;
  private readonly perPeriod: number;
  private readonly repeat: boolean;

  private constructor(stages: readonly RateStage[], repeat: boolean) {
    this.segments = [];
    let start = 0;
    let before = 0;
    let previous = stages[0]?.ratePerSecond ?? 0;
    for (const stage of stages) {
      const from = stage.ramp ? previous : stage.ratePerSecond;
      const end = start + stage.durationSeconds;
      this.segments.push({ start, end, from, to: stage.ratePerSecond, before });
      before += ((from + stage.ratePerSecond) / 2) * stage.durationSeconds;
      start = end;
      previous = stage.ratePerSecond;
    }
    this.period = start;
    this.perPeriod = before;
    this.repeat = repeat;
  }

  static constant(ratePerSecond: number): RateSchedule {
    return new RateSchedule([{ durationSeconds: 3600, ratePerSecond, ramp: false }], false);
  }

  static of(shape: RateShapeSettings | undefined, ratePerSecond: number): RateSchedule {
    return shape ? new RateSchedule(shape.stages, shape.repeat) : RateSchedule.constant(ratePerSecond);
  }

  /** A copy for one of `workers` threads, each sending its share. */
  static share(shape: RateShapeSettings, workers: number): RateShapeSettings {
    return {
      repeat: shape.repeat,
      stages: shape.stages.map((stage) => ({ ...stage, ratePerSecond: stage.ratePerSecond / workers })),
    };
  }

  /** The target rate `seconds` after the schedule began. */
  rateAt(seconds: number): number {
    const { segment, offset } = this.locate(seconds);
    const into = Math.min(seconds - offset, segment.end) - segment.start;
    const length = segment.end - segment.start;
    return length > 0
      ? segment.from + ((segment.to - segment.from) * Math.max(0, into)) / length
      : segment.to;
  }

  /** Events due in the first `seconds` of the schedule. */
  countAt(seconds: number): number {
    const t = Math.max(0, seconds);
    const { segment, offset, periods } = this.locate(t);
    const local = t - offset;
    const last = this.segments[this.segments.length - 1] as Segment;
    if (local >= last.end) return periods * this.perPeriod + this.perPeriod + (local - last.end) * last.to;
    const into = local - segment.start;
    const length = segment.end - segment.start;
    const slope = length > 0 ? (segment.to - segment.from) / length : 0;
    return periods * this.perPeriod + segment.before + segment.from * into + (slope * into * into) / 2;
  }

  /** When (seconds after the start) the `count`-th event falls due: the inverse of countAt. */
  secondsFor(count: number): number {
    if (count <= 0) return 0;
    // countAt is non-decreasing: bisect, after finding an upper bound by doubling.
    let low = 0;
    let high = Math.max(1, this.period);
    while (this.countAt(high) < count) {
      low = high;
      high *= 2;
      if (high > 1e12) return Number.POSITIVE_INFINITY; // a rate of 0 from here on
    }
    for (let i = 0; i < 80 && high - low > 1e-9; i++) {
      const middle = (low + high) / 2;
      if (this.countAt(middle) < count) low = middle;
      else high = middle;
    }
    return high;
  }

  /** The end of the stage `seconds` falls in (+∞ after the last one of a schedule that holds). */
  stageEnd(seconds: number): number {
    const { segment, offset } = this.locate(seconds);
    const last = this.segments[this.segments.length - 1] as Segment;
    if (!this.repeat && segment === last && seconds >= last.end) return Number.POSITIVE_INFINITY;
    return offset + segment.end;
  }

  private locate(seconds: number): { segment: Segment; offset: number; periods: number } {
    let periods = 0;
    let local = seconds;
    if (this.repeat && this.period > 0 && seconds >= this.period) {
      periods = Math.floor(seconds / this.period);
      local = seconds - periods * this.period;
    }
    const segments = this.segments;
    let index = 0;
    while (index < segments.length - 1 && local >= (segments[index] as Segment).end) index++;
    return { segment: segments[index] as Segment, offset: periods * this.period, periods };
  }
}
