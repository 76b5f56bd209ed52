import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { METRIC } from './metric-names.ts';

/**
 * Metrics are created against a registry passed in (one per process, a fresh one per test), never
 * a global. Names follow synfin_<stage>_<thing>_<unit>; label values are bounded (topic, stage, run).
 */
export function createMetricsRegistry(options: {
  defaultMetrics: boolean;
  prefix?: string;
  /** Labels every series of the registry carries (a process's `run_id`). */
  labels?: Record<string, string>;
}): Registry {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.defaultMetrics)
    collectDefaultMetrics({ register: registry, prefix: options.prefix ?? 'synfin_' });
  return registry;
}

export interface KafkaClientMetrics {
  messagesProduced: Counter<'topic'>;
  bytesProduced: Counter<'topic'>;
  produceLatency: Histogram<'topic'>;
  produceFailures: Counter<'topic'>;
}

export function kafkaClientMetrics(registry: Registry): KafkaClientMetrics {
  return {
    messagesProduced: new Counter({
      name: METRIC.kafkaMessagesProduced,
      help: 'Messages acknowledged by Kafka',
      labelNames: ['topic'],
      registers: [registry],
    }),
    bytesProduced: new Counter({
      name: 'synfin_kafka_produced_bytes_total',
      help: 'Value bytes acknowledged by Kafka',
      labelNames: ['topic'],
      registers: [registry],
    }),
    produceLatency: new Histogram({
      name: 'synfin_kafka_produce_latency_seconds',
      help: 'Time from send to acknowledgement of a produce batch',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    produceFailures: new Counter({
      name: 'synfin_kafka_produce_failures_total',
      help: 'Messages in produce requests that failed after the client retries',
      labelNames: ['topic'],
      registers: [registry],
    }),
  };
}
