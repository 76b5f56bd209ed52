import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BulkHistogram } from '../core/bulk-histogram.ts';
import { METRIC } from '../core/metric-names.ts';

/** The sinks' metrics (synfin_sink_*); label values are bounded: sink, table, topic, partition. */
export interface SinkMetrics {
  rowsWritten: Counter<'sink' | 'table'>;
  recordsConsumed: Counter<'sink' | 'topic'>;
  recordsSkipped: Counter<'sink' | 'topic'>;
  deadLetters: Counter<'sink' | 'reason'>;
  retries: Counter<'sink'>;
  batchRows: Histogram<'sink'>;
  flushSeconds: Histogram<'sink'>;
  /** Observed for every row landed: a bulk histogram (a series looked up once per batch). */
  endToEndSeconds: BulkHistogram<'sink' | 'table'>;
  bufferedRows: Gauge<'sink'>;
  lastCommit: Gauge<'sink'>;
  lag: Gauge<'sink' | 'topic' | 'partition'>;
}

export function sinkMetrics(registry: Registry): SinkMetrics {
  const registers = [registry];
  return {
    rowsWritten: new Counter({
      name: METRIC.sinkRowsWritten,
      help: 'Rows the database acknowledged, per table (dead letters included)',
      labelNames: ['sink', 'table'],
      registers,
    }),
    recordsConsumed: new Counter({
      name: METRIC.sinkRecordsConsumed,
      help: 'Records read from Kafka',
      labelNames: ['sink', 'topic'],
      registers,
    }),
    recordsSkipped: new Counter({
      name: 'synfin_sink_records_skipped_total',
      help: 'Records read again that the database already held (after a crash or rebalance)',
      labelNames: ['sink', 'topic'],
      registers,
    }),
    deadLetters: new Counter({
      name: METRIC.sinkDeadLetters,
      help: 'Records landed in the dead-letter table instead of their own',
      labelNames: ['sink', 'reason'],
      registers,
    }),
    retries: new Counter({
      name: 'synfin_sink_retries_total',
      help: 'Batch writes retried after a database failure',
      labelNames: ['sink'],
      registers,
    }),
    batchRows: new Histogram({
      name: 'synfin_sink_batch_rows',
      help: 'Rows per batch written',
      labelNames: ['sink'],
      buckets: [1, 10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000],
      registers,
    }),
    flushSeconds: new Histogram({
      name: 'synfin_sink_flush_duration_seconds',
      help: 'Time to land a batch, retries included',
      labelNames: ['sink'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    endToEndSeconds: new BulkHistogram({
      name: 'synfin_sink_end_to_end_latency_seconds',
      help: 'Kafka record timestamp to row committed in the database',
      labelNames: ['sink', 'table'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
    bufferedRows: new Gauge({
      name: METRIC.sinkBufferedRows,
      help: 'Rows read and not yet written',
      labelNames: ['sink'],
      registers,
    }),
    lastCommit: new Gauge({
      name: 'synfin_sink_last_commit_timestamp_seconds',
      help: 'When the sink last landed a batch',
      labelNames: ['sink'],
      registers,
    }),
    lag: new Gauge({
      name: METRIC.sinkConsumerLag,
      help: 'Records behind the end of each partition, as of the last batch read',
      labelNames: ['sink', 'topic', 'partition'],
      registers,
    }),
  };
}
