/** Producer workers: their shards cover the run's customers once each, and their summaries add up. */
import { describe, expect, it } from 'vitest';
import { parseGeneratorConfig } from '../../../producers/config.ts';
import type { RunSummary } from '../../../producers/run.ts';
import { mergeSummaries, workerControl, workerShards } from '../../../producers/threads.ts';
import { ownsCustomer } from '../../../producers/world/world.ts';

describe('producer workers', () => {
  it.each([
    [{ index: 0, count: 1 }, 3],
    [{ index: 1, count: 3 }, 2],
    [{ index: 2, count: 4 }, 5],
  ])('split shard %o into %i worker shards owning its customers exactly once', (shard, workers) => {
    const config = parseGeneratorConfig({
      customers: 500,
      workers,
      shard,
      mode: 'realtime',
      ratePerSecond: 900,
    });
    const shards = workerShards(config);
    expect(shards).toHaveLength(workers);
    for (let no = 0; no < 500; no++) {
      const owners = shards.filter((worker) => ownsCustomer(worker.shard, no)).length;
      expect(owners, `customer ${no}`).toBe(ownsCustomer(shard, no) ? 1 : 0);
    }
    expect(shards.every((worker) => worker.workers === 1)).toBe(true);
    expect(shards.reduce((sum, worker) => sum + worker.ratePerSecond, 0)).toBeCloseTo(900, 9);
    // Merchants come from shard 0 of the run only, as with process shards.
    expect(shards.filter((worker) => worker.shard.index === 0)).toHaveLength(shard.index === 0 ? 1 : 0);
  });

  it('share maxTransactions out exactly', () => {
    const shards = workerShards(parseGeneratorConfig({ workers: 3, maxTransactions: 1_000 }));
    expect(shards.map((worker) => worker.maxTransactions)).toEqual([334, 333, 333]);
    expect(workerShards(parseGeneratorConfig({ workers: 2 }))[0]?.maxTransactions).toBeUndefined();
  });

  it('share a new rate out and pass other control messages on as they are', () => {
    expect(workerControl({ type: 'rate', ratePerSecond: 300 }, 3)).toEqual({
      type: 'rate',
      ratePerSecond: 100,
    });
    expect(workerControl({ type: 'pause' }, 3)).toEqual({ type: 'pause' });
  });

  it('add up to one run summary', () => {
    const summary = (produced: number, startedAt: number, endedAt: number, stopped = false): RunSummary => ({
      runId: 'r',
      produced: { customer: produced, merchant: 1, transaction: produced * 10, label: produced },
      fraudTransactions: produced,
      topics: { customer: 'c', merchant: 'm', transaction: 't', label: 'l' },
      startedAt,
      endedAt,
      stopped,
    });
    expect(mergeSummaries([summary(2, 10, 50), summary(3, 5, 40, true)])).toEqual({
      ...summary(5, 5, 50, true),
      produced: { customer: 5, merchant: 2, transaction: 50, label: 5 },
    });
  });
});
