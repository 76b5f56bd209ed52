import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC } from '../core/metric-names.ts';

/** The processors' metrics (synfin_processor_*); label values are bounded: stage, topic, kind. */
export interface ProcessorMetrics {
  consumed: Counter<'stage' | 'topic'>;
  produced: Counter<'stage' | 'topic'>;
  late: Counter<'stage'>;
  deadLetters: Counter<'stage'>;
  labels: Counter<'outcome'>;
  commitSeconds: Histogram<'stage'>;
  restoreSeconds: Histogram<'stage'>;
  restoredRecords: Counter<'stage'>;
  stateEntries: Gauge<'stage' | 'kind'>;
  lag: Gauge<'stage' | 'topic' | 'partition'>;
}

export function processorMetrics(registry: Registry): ProcessorMetrics {
  const registers = [registry];
  return {
    consumed: new Counter({
      name: 'synfin_processor_records_consumed_total',
      help: 'Input records handed to a stage task',
      labelNames: ['stage', 'topic'],
      registers,
    }),
    produced: new Counter({
      name: METRIC.processorRecordsProduced,
      help: 'Records committed by a stage, per output topic (changelogs included)',
      labelNames: ['stage', 'topic'],
      registers,
    }),
    late: new Counter({
      name: 'synfin_processor_late_events_total',
      help: 'Events later than the allowed lateness: processed at once and flagged',
      labelNames: ['stage'],
      registers,
    }),
    deadLetters: new Counter({
      name: METRIC.processorDeadLetters,
      help: 'Input records sent to the dead-letter topic',
      labelNames: ['stage'],
      registers,
    }),
    labels: new Counter({
      name: 'synfin_processor_labels_total',
      help: 'Fraud labels by outcome: joined with features, or unmatched within the horizon',
      labelNames: ['outcome'],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'synfin_processor_commit_duration_seconds',
      help: 'Duration of one Kafka transaction: outputs, changelog and offsets',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    restoreSeconds: new Histogram({
      name: 'synfin_processor_restore_duration_seconds',
      help: 'Time to rebuild task state from the changelog',
      labelNames: ['stage'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    restoredRecords: new Counter({
      name: 'synfin_processor_restored_records_total',
      help: 'Changelog records read back into task state',
      labelNames: ['stage'],
      registers,
    }),
    stateEntries: new Gauge({
      name: 'synfin_processor_state_entries',
      help: 'Entries held in task state, by kind (customers, purchases, merchants, buffered…)',
      labelNames: ['stage', 'kind'],
      registers,
    }),
    lag: new Gauge({
      name: METRIC.processorConsumerLag,
      help: 'Records behind the end of each input partition, as of the last batch processed',
      labelNames: ['stage', 'topic', 'partition'],
      registers,
    }),
  };
}
