import { describe, expect, it } from 'vitest';
import { parseGeneratorConfig } from '../../../producers/config.ts';
import { realtimeEvents } from '../../../producers/realtime.ts';

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
});
