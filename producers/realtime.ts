/**
 * Realtime mode: the simulation's transactions, in order, stamped with the wall clock as they are
 * sent, at a steady target rate. Labels follow their transactions after the configured delay, in
 * real time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GeneratorConfig } from './config.ts';
import type { RunControl } from './control.ts';
import { GroundTruth } from './ground-truth/ground-truth.ts';
import { PendingLabels } from './ground-truth/pending.ts';
import { PACE_GIVE_UP_MS } from './metrics.ts';
import { createSimulation, type GeneratedTransaction } from './simulation.ts';
import { entityEvents, labelEvent, type StreamEvent, transactionEvent } from './stream.ts';
import { DAY_MS } from './transactions/rhythm.ts';

/** Events per pacing step: ~100 steps a second at most, so sleeps stay long enough to be accurate. */
function stepSize(ratePerSecond: number): number {
  return Math.max(1, Math.ceil(ratePerSecond / 100));
}

export async function* realtimeEvents(
  config: GeneratorConfig,
  signal: AbortSignal | undefined,
  clock: () => number = Date.now,
  control?: RunControl,
  /** How far behind the target schedule each step starts, in ms (0 when on time). */
  onPace?: (behindMs: number) => void,
): AsyncGenerator<StreamEvent[]> {
  const today = Math.floor(clock() / DAY_MS) * DAY_MS;
  const simulation = createSimulation(config, today);
  yield entityEvents(simulation, config, clock());
  // Day 0 before the schedule starts: built after, it made the first window a catch-up burst.
  let day = simulation.dayBuilder(0).ordered();

  let rate = control?.ratePerSecond ?? config.ratePerSecond;
  let step = stepSize(rate);
  let rateVersion = control?.rateVersion ?? 0;
  // The duration counts producing time: a pause moves the deadline by its length.
  let deadline =
    config.durationSeconds === undefined ? Number.POSITIVE_INFINITY : clock() + config.durationSeconds * 1000;
  let remaining = config.maxTransactions ?? Number.POSITIVE_INFINITY;
  const pending = new PendingLabels();
  const groundTruth = new GroundTruth(config);
  let paceStart = clock();
  let paced = 0;

  for (let dayIndex = 0; remaining > 0; dayIndex++) {
    // The next day is built while this one is sent, a share of its customers at each step, and
    // put in order a minute at a time as it is read (day-order.ts): built and sorted at midnight,
    // it held the sending for as long as that took (at 100,000 customers ~1 s).
    const next = simulation.dayBuilder(dayIndex + 1);
    while (day.remaining > 0 && remaining > 0) {
      next.build(Math.ceil(next.remaining / Math.ceil(day.remaining / step)));
      if (control?.paused) {
        deadline += await control.whileRunning(signal);
        paceStart = clock();
        paced = 0;
      }
      if (control && control.rateVersion !== rateVersion) {
        rateVersion = control.rateVersion;
        rate = control.ratePerSecond ?? rate;
        step = stepSize(rate);
        paceStart = clock();
        paced = 0;
      }
      if (signal?.aborted || clock() >= deadline) return;
      const due = paceStart + ((paced + step) / rate) * 1000;
      const wait = due - clock();
      onPace?.(Math.max(0, -wait));
      if (wait > 0) await sleep(wait);
      else if (wait < -PACE_GIVE_UP_MS) {
        // More than a second behind (a slow broker): carry on at the target rate from now rather
        // than bursting to catch up.
        paceStart = clock();
        paced = 0;
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
