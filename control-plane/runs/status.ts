/** A run's progress as /v1/runs/{id}/status reports it, computed from its stages' scrapes. */

import { METRIC } from '../../core/metric-names.ts';
import { PACE_BEHIND_METRIC, PACE_GIVE_UP_MS, TARGET_RATE_METRIC } from '../../producers/metrics.ts';
import { type Sample, sumBy, total } from './exposition.ts';
import type { RunPlan } from './spec.ts';
import type { RunRecord } from './store.ts';

export type RunPhase = 'starting' | 'producing' | 'paused' | 'draining' | 'done';

export interface RunStatus {
  id: string;
  state: RunRecord['state'];
  phase: RunPhase;
  /** Records Kafka acknowledged, per topic of the run (inputs from the producer, outputs from the processors). */
  produced: Record<string, number>;
  topics: Record<string, string>;
  /** Events per second acknowledged over the last interval. */
  ratePerSecond: number;
  targetRatePerSecond: number | null;
  /**
   * A realtime run's producer is on its schedule (less than a second behind): false when the
   * machine or the broker cannot give the target rate and it goes on at what it can do; null for a
   * backfill, or before the producer has reported.
   */
  keepingUp: boolean | null;
  fraudTransactions: number;
  /** Records behind the end of their topics: the processors, and each sink. */
  consumerLag: { processors: number | null; sinks: Record<string, number> };
  /** Rows each sink wrote, per table, since its process started. */
  sinkRows: Record<string, Record<string, number>>;
  deadLetters: number;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
  updatedAt: string;
}

export interface StageScrapes {
  producer?: Sample[] | undefined;
  processors?: Sample[] | undefined;
  sinks?: Sample[] | undefined;
}

const TOPIC_KINDS = ['customers', 'merchants', 'transactions', 'labels'] as const;
const KIND_OF_EVENT: Record<string, string> = {
  customer: 'customers',
  merchant: 'merchants',
  transaction: 'transactions',
  label: 'labels',
};

/** The producer's final counts (per event kind) as counts per topic kind. */
export function producedByTopic(summary: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(summary).map(([kind, n]) => [KIND_OF_EVENT[kind] ?? kind, n]));
}

export function computeStatus(
  record: RunRecord,
  plan: RunPlan,
  scrapes: StageScrapes,
  previous: RunStatus | undefined,
  phase: RunPhase,
  now = Date.now(),
): RunStatus {
  const produced: Record<string, number> = {};
  const acked = scrapes.producer ? sumBy(scrapes.producer, METRIC.kafkaMessagesProduced, 'topic') : undefined;
  for (const kind of TOPIC_KINDS) {
    const fromScrape = acked?.get(plan.topics[kind] as string);
    produced[kind] = record.stats.produced?.[kind] ?? fromScrape ?? previous?.produced[kind] ?? 0;
  }
  const outputs = scrapes.processors
    ? sumBy(scrapes.processors, METRIC.processorRecordsProduced, 'topic')
    : undefined;
  for (const kind of ['features', 'labeled']) {
    const topic = plan.topics[kind];
    if (topic) produced[kind] = outputs?.get(topic) ?? previous?.produced[kind] ?? 0;
  }
  const inputTotal = TOPIC_KINDS.reduce((sum, kind) => sum + (produced[kind] ?? 0), 0);
  const previousTotal = previous
    ? TOPIC_KINDS.reduce((sum, kind) => sum + (previous.produced[kind] ?? 0), 0)
    : 0;
  const seconds = previous ? (now - Date.parse(previous.updatedAt)) / 1000 : 0;
  const sinkLag = scrapes.sinks ? sumBy(scrapes.sinks, METRIC.sinkConsumerLag, 'sink') : undefined;
  const sinkRows: Record<string, Record<string, number>> = {};
  for (const sample of scrapes.sinks ?? []) {
    if (sample.name !== METRIC.sinkRowsWritten) continue;
    const { sink = '', table = '' } = sample.labels;
    sinkRows[sink] = { ...sinkRows[sink], [table]: (sinkRows[sink]?.[table] ?? 0) + sample.value };
  }
  return {
    id: record.id,
    state: record.state,
    phase,
    produced,
    topics: plan.topics,
    ratePerSecond: seconds > 0 ? Math.max(0, Math.round((inputTotal - previousTotal) / seconds)) : 0,
    // The producer's own target at this moment (a shaped rate moves), else the one set or configured.
    targetRatePerSecond:
      record.spec.mode !== 'realtime'
        ? null
        : scrapes.producer?.some((sample) => sample.name === TARGET_RATE_METRIC)
          ? Math.round(total(scrapes.producer, TARGET_RATE_METRIC))
          : (record.stats.ratePerSecond ?? record.spec.ratePerSecond),
    keepingUp:
      record.spec.mode !== 'realtime'
        ? null
        : scrapes.producer
          ? total(scrapes.producer, PACE_BEHIND_METRIC) * 1000 < PACE_GIVE_UP_MS
          : (previous?.keepingUp ?? null),
    fraudTransactions:
      record.stats.fraudTransactions ??
      (scrapes.producer ? total(scrapes.producer, METRIC.producerFraudTransactions) : undefined) ??
      previous?.fraudTransactions ??
      0,
    consumerLag: {
      processors: scrapes.processors
        ? total(scrapes.processors, METRIC.processorConsumerLag)
        : (previous?.consumerLag.processors ?? null),
      sinks: sinkLag ? Object.fromEntries(sinkLag) : (previous?.consumerLag.sinks ?? {}),
    },
    sinkRows: scrapes.sinks ? sinkRows : (previous?.sinkRows ?? {}),
    deadLetters:
      scrapes.processors || scrapes.sinks
        ? total(scrapes.processors ?? [], METRIC.processorDeadLetters) +
          total(scrapes.sinks ?? [], METRIC.sinkDeadLetters)
        : (previous?.deadLetters ?? 0),
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    error: record.error,
    updatedAt: new Date(now).toISOString(),
  };
}

/**
 * Whether everything the producer wrote has gone through: the processors and every sink are at
 * the end of their topics with nothing buffered, and each sink has read at least what was produced.
 */
export function drained(
  plan: RunPlan,
  produced: Record<string, number>,
  scrapes: StageScrapes,
  options: { restarted?: boolean } = {},
): boolean {
  if (plan.processors && (!scrapes.processors || total(scrapes.processors, METRIC.processorConsumerLag) > 0))
    return false;
  if (plan.processors) {
    // Consumed is not enough: events wait in the event-time buffers until released. Every
    // purchase comes out once (counted since the processors started: after a restart the
    // supervisor counts in the databases instead).
    const out = sumBy(scrapes.processors ?? [], METRIC.processorRecordsProduced, 'topic');
    if (!options.restarted && (out.get(plan.topics.features as string) ?? 0) < (produced.transactions ?? 0))
      return false;
  }
  if (plan.sinks) {
    const samples = scrapes.sinks;
    if (!samples) return false;
    if (total(samples, METRIC.sinkConsumerLag) > 0 || total(samples, METRIC.sinkBufferedRows) > 0)
      return false;
    // After a restart the counters start from zero: the supervisor asks the databases instead.
    if (options.restarted) return true;
    for (const sink of plan.sinks.sinks) {
      const consumed = sumBy(samples, METRIC.sinkRecordsConsumed, 'topic', { sink });
      // Every topic this sink reads (its settings say which) has been read to what was produced.
      for (const kind of plan.sinks[sink].kinds) {
        const expected = produced[kind] ?? 0;
        const topic = plan.topics[kind];
        if (topic && expected > 0 && (consumed.get(topic) ?? 0) < expected) return false;
      }
    }
  }
  return true;
}
