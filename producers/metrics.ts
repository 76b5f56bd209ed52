import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC } from '../core/metric-names.ts';

/**
 * The generator's own metrics (synfin_producer_*). What Kafka acknowledged — messages, bytes,
 * latency, failures per topic — is counted by the shared Kafka client (synfin_kafka_*).
 */
export interface ProducerMetrics {
  events: Counter<'kind' | 'topic'>;
  fraudTransactions: Counter;
  configuredFraudRatio: Gauge;
  targetRate: Gauge;
  paceBehind: Gauge;
  runState: Gauge<'state'>;
}

/** Seconds behind the realtime schedule (read by the control plane's status). */
export const PACE_BEHIND_METRIC = METRIC.producerPaceBehind;
export const TARGET_RATE_METRIC = METRIC.producerTargetRate;
/** Behind by more than this, a realtime run no longer catches up: it is not keeping up. */
export const PACE_GIVE_UP_MS = 1000;

/** States a run passes through, one-hot in synfin_producer_run_state. */
export const RUN_STATES = ['running', 'paused', 'completed', 'stopped', 'failed'] as const;
export type ProducerRunState = (typeof RUN_STATES)[number];

export function producerMetrics(registry: Registry): ProducerMetrics {
  const registers = [registry];
  return {
    events: new Counter({
      name: 'synfin_producer_events_total',
      help: 'Events generated and handed to Kafka, per kind and topic',
      labelNames: ['kind', 'topic'],
      registers,
    }),
    fraudTransactions: new Counter({
      name: METRIC.producerFraudTransactions,
      help: 'Generated transactions that belong to an injected fraud scenario',
      registers,
    }),
    configuredFraudRatio: new Gauge({
      name: 'synfin_producer_configured_fraud_ratio',
      help: 'The fraction of transactions the run is configured to make fraudulent',
      registers,
    }),
    targetRate: new Gauge({
      name: TARGET_RATE_METRIC,
      help: 'The target rate of a realtime run at this moment, events/s (0 for a backfill: as fast as possible)',
      registers,
    }),
    paceBehind: new Gauge({
      name: PACE_BEHIND_METRIC,
      help: 'How far a realtime run is behind its target schedule, in seconds (0 while it keeps up); past 1 s it stops catching up and goes on at the rate the machine can do, and adds the lag it gave up in the last 50 s (so a run short of its rate by 2% or more stays past 1 s)',
      registers,
    }),
    runState: new Gauge({
      name: 'synfin_producer_run_state',
      help: 'The run state: 1 for the current one, 0 for the others',
      labelNames: ['state'],
      registers,
    }),
  };
}

export function setRunState(metrics: ProducerMetrics, state: ProducerRunState): void {
  for (const candidate of RUN_STATES) metrics.runState.set({ state: candidate }, candidate === state ? 1 : 0);
}
