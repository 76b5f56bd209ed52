import { describe, expect, it } from 'vitest';
import { parseGeneratorConfig } from '../../../producers/config.ts';
import { PACE_GIVE_UP_MS } from '../../../producers/metrics.ts';
import { RateSchedule } from '../../../producers/rate-shape.ts';
import { GivenUp, realtimeEvents } from '../../../producers/realtime.ts';
import { createSimulation } from '../../../producers/simulation.ts';

const config = (ratePerSecond: number, maxTransactions: number) =>
  parseGeneratorConfig({
    runId: 'pace',
    mode: 'realtime',
    ratePerSecond,
    maxTransactions,
    customers: 50,
    merchants: 10,
  });

async function paceOf(
  ratePerSecond: number,
  maxTransactions: number,
  clock: () => number,
): Promise<number[]> {
  const behind: number[] = [];
  for await (const _ of realtimeEvents(
    config(ratePerSecond, maxTransactions),
    undefined,
    clock,
    undefined,
    (ms) => behind.push(ms),
  ));
  return behind;
}

describe('realtime pacing', () => {
  it('reports being on schedule when every step can wait for its due time', async () => {
    // A clock that stands still: every step is due after it, so each one waits and none is late.
    const behind = await paceOf(100, 12, () => Date.UTC(2026, 0, 1));
    expect(behind.length).toBe(12);
    expect(behind.every((ms) => ms === 0)).toBe(true);
  });

  it('reports how far behind it is when every step takes longer than the schedule allows', async () => {
    // A clock that moves 2 s per reading: each step is due long before it can start.
    let now = Date.UTC(2026, 0, 1);
    const behind = await paceOf(1000, 200, () => {
      now += 2000;
      return now;
    });
    expect(behind.length).toBeGreaterThan(5);
    expect(behind.slice(1).every((ms) => ms > 1000)).toBe(true);
  });

  /**
   * A run whose every event costs `cost(t)` virtual ms to send: the lag each step reports, with the
   * virtual time it was reported at.
   */
  async function slowRun(ratePerSecond: number, seconds: number, cost: (elapsedMs: number) => number) {
    const start = Date.UTC(2026, 0, 1);
    let now = start;
    const reports: { at: number; ms: number }[] = [];
    for await (const batch of realtimeEvents(
      parseGeneratorConfig({
        runId: 'short',
        mode: 'realtime',
        ratePerSecond,
        durationSeconds: seconds,
        customers: 50,
        merchants: 10,
      }),
      undefined,
      () => now,
      undefined,
      (ms) => reports.push({ at: now - start, ms }),
      async (ms) => {
        now += ms;
      },
    )) {
      for (const event of batch) if (event.kind === 'transaction') now += cost(now - start);
    }
    return reports;
  }

  it('reads as not keeping up for as long as it is short of its rate, though each give-up restarts the lag', async () => {
    // 5% short: the lag passes a second every ~20 s, and starting again from "now" sets it to 0.
    const reports = await slowRun(200, 150, () => 1000 / (200 * 0.95));
    const first = reports.findIndex((report) => report.ms > PACE_GIVE_UP_MS);
    expect(first, 'the run falls a second behind').toBeGreaterThan(0);
    expect(reports[first]?.at).toBeLessThan(30_000);
    const after = reports.slice(first);
    expect(after.filter((report) => report.ms <= PACE_GIVE_UP_MS).slice(0, 3)).toEqual([]);
  });

  it('reads as behind for the window after a single stall, and on schedule again after it', async () => {
    // On time but for one send that takes 1.5 s, 10 s in.
    let stalled = false;
    const reports = await slowRun(200, 80, (elapsed) => {
      if (stalled || elapsed < 10_000) return 0;
      stalled = true;
      return 1500;
    });
    const behind = reports.filter((report) => report.ms > PACE_GIVE_UP_MS);
    expect(behind.length).toBeGreaterThan(0);
    const from = (behind[0] as { at: number }).at;
    const to = (behind.at(-1) as { at: number }).at;
    expect(to - from).toBeGreaterThan(GivenUp.WINDOW_MS - 1000);
    expect(to - from).toBeLessThanOrEqual(GivenUp.WINDOW_MS);
    expect(reports.filter((report) => report.at > to).every((report) => report.ms === 0)).toBe(true);
  });
});

describe('realtime days', () => {
  it('sends each simulated day whole and in order, the next one built while the current one is sent', async () => {
    const base = Date.UTC(2026, 0, 1);
    const expected = createSimulation(config(1000, 1), base);
    const days = [expected.day(0), expected.day(1), expected.day(2)];
    const ids = days.flat().map((t) => t.value.transactionId);
    // Into the third day, so that two days were built step by step.
    const maxTransactions = (days[0]?.length ?? 0) + (days[1]?.length ?? 0) + 5;
    // A clock that runs ahead of the schedule: no step waits, the test takes no wall time.
    let now = base;
    const sent: string[] = [];
    for await (const batch of realtimeEvents(config(1000, maxTransactions), undefined, () => {
      now += 2000;
      return now;
    })) {
      for (const event of batch) if (event.kind === 'transaction') sent.push(event.value.transactionId);
    }
    expect(days[0]?.length).toBeGreaterThan(20);
    expect(sent).toEqual(ids.slice(0, maxTransactions));
  });

  it('builds a day step by step into the same transactions as all at once', () => {
    const whole = createSimulation(config(1000, 1), Date.UTC(2026, 0, 1));
    const stepwise = createSimulation(config(1000, 1), Date.UTC(2026, 0, 1));
    for (let day = 0; day < 3; day++) {
      const builder = stepwise.dayBuilder(day);
      while (!builder.build(7));
      expect(builder.remaining).toBe(0);
      expect(
        builder
          .ordered()
          .all()
          .map((t) => t.value),
      ).toEqual(whole.day(day).map((t) => t.value));
    }
  });
});

describe('a shaped rate', () => {
  it('follows its stages within ±5% in every half-second window', async () => {
    const shape = {
      repeat: false,
      stages: [
        { durationSeconds: 2, ratePerSecond: 2000, ramp: false },
        { durationSeconds: 2, ratePerSecond: 6000, ramp: true },
        { durationSeconds: 1, ratePerSecond: 9000, ramp: false },
        { durationSeconds: 2, ratePerSecond: 500, ramp: false },
      ],
    };
    const shaped = parseGeneratorConfig({
      runId: 'shape',
      mode: 'realtime',
      customers: 2000,
      merchants: 100,
      rateShape: shape,
      durationSeconds: 7,
    });
    // Virtual time: reading the clock costs nothing, waiting moves it. The pacing alone decides.
    const start = Date.UTC(2026, 0, 1);
    let now = start;
    const targets: number[] = [];
    const times: number[] = [];
    for await (const batch of realtimeEvents(
      shaped,
      undefined,
      () => now,
      undefined,
      (_behind, target) => targets.push(target),
      async (ms) => {
        now += ms;
      },
    ))
      for (const event of batch) if (event.kind === 'transaction') times.push(event.timestamp - start);
    const schedule = RateSchedule.of(shaped.rateShape, shaped.ratePerSecond);
    expect(times.length).toBeGreaterThan(15_000);
    for (let window = 0; window < 14; window++) {
      const [from, to] = [window * 500, (window + 1) * 500];
      // A step is stamped when its last event falls due: an event at `to` was due by `to`.
      const sent = times.filter((t) => t > from && t <= to).length;
      const due = schedule.countAt(to / 1000) - schedule.countAt(from / 1000);
      expect(Math.abs(sent / due - 1), `window ${from}–${to} ms: ${sent} sent, ${due} due`).toBeLessThan(
        0.05,
      );
    }
    // The target it reports moves with the stages.
    expect(Math.min(...targets)).toBe(500);
    expect(Math.max(...targets)).toBe(9000);
  });
});
