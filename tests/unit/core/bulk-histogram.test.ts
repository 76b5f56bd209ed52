import { Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BulkHistogram } from '../../../core/bulk-histogram.ts';
import { createMetricsRegistry } from '../../../core/metrics.ts';

const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

/** Values on, between and beyond the bounds, for two series. */
const OBSERVED: [string, number][] = [
  ['customers', 0],
  ['customers', 0.05],
  ['customers', 0.0500001],
  ['transactions', 1],
  ['transactions', 299.9],
  ['transactions', 300],
  ['transactions', 300.1],
  ['transactions', 4000],
  ['customers', 2.5],
  ['transactions', 0.1],
];

describe('BulkHistogram', () => {
  it('exposes exactly what a prom-client Histogram given the same values exposes', async () => {
    const bulkRegistry = createMetricsRegistry({ defaultMetrics: false, labels: { run_id: 'r1' } });
    const promRegistry = createMetricsRegistry({ defaultMetrics: false, labels: { run_id: 'r1' } });
    const options = {
      name: 'synfin_test_latency_seconds',
      help: 'Latency',
      labelNames: ['sink', 'table'] as const,
      buckets: BUCKETS,
    };
    const bulk = new BulkHistogram({ ...options, registers: [bulkRegistry] });
    const reference = new Histogram({
      ...options,
      labelNames: [...options.labelNames],
      registers: [promRegistry],
    });
    for (const [table, value] of OBSERVED) {
      bulk.labels({ sink: 'clickhouse', table }).observe(value);
      reference.observe({ sink: 'clickhouse', table }, value);
    }
    const text = await bulkRegistry.metrics();
    expect(text).toBe(await promRegistry.metrics());
    expect(text).toContain(
      'synfin_test_latency_seconds_bucket{le="0.05",run_id="r1",sink="clickhouse",table="customers"} 2',
    );
    expect(text).toContain(
      'synfin_test_latency_seconds_bucket{le="300",run_id="r1",sink="clickhouse",table="transactions"} 4',
    );
    expect(text).toContain(
      'synfin_test_latency_seconds_count{run_id="r1",sink="clickhouse",table="transactions"} 6',
    );
  });

  it('exposes a series at 0 once it is looked up, and nothing after a reset', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const bulk = new BulkHistogram({
      name: 'synfin_test_rows_seconds',
      help: 'Rows',
      labelNames: ['sink'],
      buckets: [1, 2],
      registers: [registry],
    });
    bulk.labels({ sink: 'postgres' });
    expect(await registry.metrics()).toContain(
      'synfin_test_rows_seconds_bucket{le="+Inf",sink="postgres"} 0',
    );
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('sink="postgres"');
  });
});
