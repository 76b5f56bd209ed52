/**
 * Realtime mode: the simulation's transactions, in order, stamped with the wall clock as they are
 * sent, at a target rate: steady, or shaped in stages over time (rate-shape.ts). Labels follow
 * their transactions after their delay, in real time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type GeneratorConfig, simulatedStartMs } from './config.ts';
import type { RunControl } from './control.ts';
import { GroundTruth } from './ground-truth/ground-truth.ts';
import { PendingLabels } from './ground-truth/pending.ts';
import { PACE_GIVE_UP_MS } from './metrics.ts';
import { RateSchedule } from './rate-shape.ts';
import { createSimulation, type GeneratedTransaction } from './simulation.ts';
import { entityEvents, labelEvent, type StreamEvent, transactionEvent } from './stream.ts';

/**
 * Events in the next pacing step, `paced` sent so far: those due in the next 1/100 s of the
 * schedule (at least one), so that sleeps stay long enough to be accurate, and never past the end
 * of a stage, so that a step does not carry one stage's rate into the next.
 */
function stepAt(schedule: RateSchedule, paced: number): number {
  const at = schedule.secondsFor(paced);
  const until = Math.min(at + 0.01, schedule.stageEnd(at));
  // Less than a thousandth of an event over is the inverse's rounding, not one more event.
  return Math.max(1, Math.ceil(schedule.countAt(until) - paced - 1e-3));
}

/** How far below its target rate a realtime run may fall and still be keeping up. */
const RATE_TOLERANCE = 0.02;

/**
 * The schedule a run gave up on (ms of it) over the last `PACE_GIVE_UP_MS / RATE_TOLERANCE` (50 s):
 * a run short of its rate by the tolerance or more gives up at least a second of it in any such
 * window, so its reported lag stays past the give-up point for as long as it is short; a single
 * stall reads as behind for that long, then no more.
 */
export class GivenUp {
  static readonly WINDOW_MS = PACE_GIVE_UP_MS / RATE_TOLERANCE;
  private readonly entries: { at: number; ms: number }[] = [];
  private total = 0;

  /** Records `ms` given up at `now` (0: none) and answers the total of the window ending now. */
  add(now: number, ms: number): number {
    if (ms > 0) {
      this.entries.push({ at: now, ms });
      this.total += ms;
    }
    while (this.entries.length > 0 && (this.entries[0] as { at: number }).at <= now - GivenUp.WINDOW_MS)
      this.total -= (this.entries.shift() as { ms: number }).ms;
    return this.entries.length === 0 ? 0 : this.total;
  }
}

export async function* realtimeEvents(
  config: GeneratorConfig,
  signal: AbortSignal | undefined,
  clock: () => number = Date.now,
  control?: RunControl,
  /** How far behind the target schedule each step starts, in ms (0 when on time), and the target rate. */
  onPace?: (behindMs: number, targetRate: number) => void,
  /** Waits `ms` (a test's virtual clock moves instead). */
  pauseFor: (ms: number) => Promise<unknown> = sleep,
): AsyncGenerator<StreamEvent[]> {
  const simulation = createSimulation(config, simulatedStartMs(config, clock()));
  yield entityEvents(simulation, config, clock());
  // Day 0 before the schedule starts: built after, it made the first window a catch-up burst.
  let day = simulation.dayBuilder(0).ordered();

  // The target over time: the configured shape, or a constant rate (a rate set live replaces it).
  let schedule =
    control?.ratePerSecond === undefined
      ? RateSchedule.of(config.rateShape, config.ratePerSecond)
      : RateSchedule.constant(control.ratePerSecond);
  let rateVersion = control?.rateVersion ?? 0;
  // The duration counts producing time: a pause moves the deadline by its length.
  let deadline =
    config.durationSeconds === undefined ? Number.POSITIVE_INFINITY : clock() + config.durationSeconds * 1000;
  let remaining = config.maxTransactions ?? Number.POSITIVE_INFINITY;
  const pending = new PendingLabels();
  const groundTruth = new GroundTruth(config);
  // When the schedule began (moved on by pauses), and how many events it has had since.
  let origin = clock();
  let paced = 0;
  // Starting again from "now" puts the lag back to 0: what was given up is reported beside it, or
  // a machine a little short of the rate would read as keeping up between two give-ups.
  const givenUp = new GivenUp();
  let target = schedule.rateAt(0);
  let step = stepAt(schedule, 0);

  for (let dayIndex = 0; remaining > 0; dayIndex++) {
    // The next day is built while this one is sent, a share of its customers at each step, and
    // put in order a minute at a time as it is read (day-order.ts): built and sorted at midnight,
    // it held the sending for as long as that took (at 100,000 customers ~1 s).
    const next = simulation.dayBuilder(dayIndex + 1);
    while (day.remaining > 0 && remaining > 0) {
      next.build(Math.ceil(next.remaining / Math.ceil(day.remaining / step)));
      if (control?.paused) {
        const pausedMs = await control.whileRunning(signal);
        deadline += pausedMs;
        origin += pausedMs;
      }
      if (control && control.rateVersion !== rateVersion) {
        rateVersion = control.rateVersion;
        schedule = RateSchedule.constant(control.ratePerSecond ?? target);
        origin = clock();
        paced = 0;
      }
      if (signal?.aborted || clock() >= deadline) return;
      target = schedule.rateAt((clock() - origin) / 1000);
      step = stepAt(schedule, paced);
      const due = origin + schedule.secondsFor(paced + step) * 1000;
      const at = clock();
      const wait = due - at;
      const behind = Math.max(0, -wait);
      const givingUp = behind > PACE_GIVE_UP_MS;
      // A lag given up counts once: in the window's total, not also as the current lag.
      const givenUpMs = givenUp.add(at, givingUp ? behind : 0);
      onPace?.(givingUp ? givenUpMs : givenUpMs + behind, target);
      if (wait > 0) await pauseFor(wait);
      else if (givingUp) {
        // More than a second behind (a slow broker): carry on at the target rate from now rather
        // than bursting to catch up.
        paced = Math.floor(schedule.countAt((clock() - origin) / 1000));
      }
      const now = clock();
      const batch: StreamEvent[] = pending.takeDue(now + 1).map(labelEvent);
      for (let n = Math.min(step, day.remaining, remaining); n > 0; n--) {
        const source = day.next() as GeneratedTransaction;
        // Stamped in place: the day's records are this loop's alone and sent once (a copy of the
        // 47 fields per transaction was garbage at every step).
        source.value.eventTime = now;
        batch.push(transactionEvent(source));
        groundTruth.observe(source, dayIndex, pending, now);
        remaining -= 1;
      }
      paced += step;
      yield batch;
    }
    if (remaining > 0) day = next.ordered();
  }
}
