/**
 * One generation run end to end: schemas registered (an incompatible change stops the run before
 * anything is produced), topics created, events encoded and produced until done or stopped, then
 * flushed — never a half-written batch.
 */
import type { LogConfig } from '../core/config/schema.ts';
import type { KafkaClient, TopicSpec } from '../core/kafka/client.ts';
import type { Logger } from '../core/logger.ts';
import type { RegistryCodec } from '../core/registry/codec.ts';
import { type Encoder, scratchWireEncoder } from '../core/registry/wire-encoder.ts';
import type { AddMetrics } from '../core/stage-threads.ts';
import { avroType, EVENT_KINDS, loadSchema } from './avro.ts';
import { type GeneratorConfig, simulatedStartMs, startMsOf } from './config.ts';
import type { RunControl } from './control.ts';
import { publishDriftManifest } from './drift/publish.ts';
import { DEFAULT_SINK_OPTIONS, type EventSink, type KafkaSinkOptions } from './kafka/event-sink.ts';
import { threadedEventSink } from './kafka/threaded-sink.ts';
import { type ProducerMetrics, setRunState } from './metrics.ts';
import { realtimeEvents } from './realtime.ts';
import { backfillEvents, type EventKind, type StreamEvent } from './stream.ts';

export interface RunDependencies {
  kafka: KafkaClient;
  codec: RegistryCodec;
  logger: Logger;
  sink?: KafkaSinkOptions;
  signal?: AbortSignal;
  /** Pause, resume and rate changes while the run produces. */
  control?: RunControl;
  /** Counts generated events, fraud and the run state when given. */
  metrics?: ProducerMetrics;
  /** Registers the sending thread's client metrics with the process's /metrics. */
  addMetrics?: AddMetrics;
  /** Called after each batch with the counts so far. */
  onProgress?: (produced: Readonly<Record<EventKind, number>>) => void;
}

export interface RunSummary {
  runId: string;
  produced: Record<EventKind, number>;
  fraudTransactions: number;
  topics: Record<EventKind, string>;
  startedAt: number;
  endedAt: number;
  /** True when a stop request or signal ended the run before its natural end. */
  stopped: boolean;
}

export function topicsOf(config: GeneratorConfig): Record<EventKind, string> {
  return {
    customer: config.topics.customers,
    merchant: config.topics.merchants,
    transaction: config.topics.transactions,
    label: config.topics.labels,
  };
}

/**
 * Kafka applies retention to record timestamps, and a backfill stamps records with simulated
 * (past) event times: its retention counts from now, or the broker deletes the run as it lands.
 */
export function retentionMsOf(config: GeneratorConfig, nowMs = Date.now()): number {
  const { retentionMs } = config.topics;
  if (retentionMs < 0 || config.mode !== 'backfill') return retentionMs;
  return retentionMs + Math.max(0, nowMs - startMsOf(config));
}

/** The run's topics as the generator creates them (a test may create them before producing). */
export function topicSpecs(config: GeneratorConfig): TopicSpec[] {
  const topics = topicsOf(config);
  const retention = { 'retention.ms': String(retentionMsOf(config)) };
  return EVENT_KINDS.map((kind) => ({
    topic: topics[kind],
    partitions: config.topics.partitions,
    // Entities keep their latest state per key; events keep their history for the retention.
    configs: kind === 'customer' || kind === 'merchant' ? { 'cleanup.policy': 'compact' } : retention,
  }));
}

/**
 * Registers every schema under `<topic>-value`; returns a wire-format encoder per event kind (each
 * message a view of the encoder's scratch buffer, valid until its next call).
 */
export async function registerSchemas(
  config: GeneratorConfig,
  codec: RegistryCodec,
): Promise<Record<EventKind, Encoder>> {
  const topics = topicsOf(config);
  const encoders = {} as Record<EventKind, Encoder>;
  for (const kind of EVENT_KINDS) {
    const schema = loadSchema(kind);
    const id = await codec.register(`${topics[kind]}-value`, schema);
    encoders[kind] = scratchWireEncoder(id, avroType(schema));
  }
  return encoders;
}

export async function runGenerator(config: GeneratorConfig, deps: RunDependencies): Promise<RunSummary> {
  const log = deps.logger.child({
    stage: 'producer',
    runId: config.runId,
    shard: `${config.shard.index}/${config.shard.count}`,
  });
  const startedAt = Date.now();
  const encoders = await registerSchemas(config, deps.codec);
  const created = await deps.kafka.ensureTopics(topicSpecs(config));
  if (created.length > 0) log.info({ topics: created }, 'created topics');
  // One shard speaks for the run: every shard derives the same manifest from the same settings.
  if (config.shard.index === 0) {
    const changes = await publishDriftManifest(config, simulatedStartMs(config), deps.kafka, deps.codec);
    if (changes > 0) log.info({ topic: config.topics.drift, changes }, 'published the drift manifest');
  }
  // Sent from a thread of its own, with a client made from the same settings: generation and
  // encoding here overlap with batching, compression and the socket there.
  const sink: EventSink = threadedEventSink({
    kafka: deps.kafka.config,
    log: { level: deps.logger.level as LogConfig['level'], pretty: false },
    logBindings: log.bindings(),
    metricLabels: { run_id: config.runId },
    sink: deps.sink ?? DEFAULT_SINK_OPTIONS,
    ...(deps.addMetrics ? { addMetrics: deps.addMetrics } : {}),
  });

  const topics = topicsOf(config);
  const produced: Record<EventKind, number> = { customer: 0, merchant: 0, transaction: 0, label: 0 };
  let fraudTransactions = 0;
  const write = async (batch: readonly StreamEvent[]) => {
    for (let i = 0; i < batch.length; i++) {
      // A stop request ends the run between two events; everything written so far is flushed.
      if ((i & 1023) === 0 && deps.signal?.aborted) return;
      const event = batch[i] as StreamEvent;
      const wait = sink.write(
        topics[event.kind],
        event.key,
        encoders[event.kind](event.value),
        event.timestamp,
      );
      if (wait) await wait;
      produced[event.kind] += 1;
      if (event.kind === 'transaction' && event.source.fraudScenario !== null) fraudTransactions += 1;
    }
  };

  let stopped = false;
  const metrics = deps.metrics;
  const counted = { ...produced, fraud: 0 };
  // Counted per batch rather than per event: the hot path stays free of label lookups.
  const count = () => {
    if (!metrics) return;
    for (const kind of EVENT_KINDS) {
      if (produced[kind] > counted[kind])
        metrics.events.inc({ kind, topic: topics[kind] }, produced[kind] - counted[kind]);
      counted[kind] = produced[kind];
    }
    if (fraudTransactions > counted.fraud) metrics.fraudTransactions.inc(fraudTransactions - counted.fraud);
    counted.fraud = fraudTransactions;
  };
  if (metrics) {
    metrics.configuredFraudRatio.set(config.fraud.rate);
    metrics.targetRate.set(config.mode === 'realtime' ? config.ratePerSecond : 0);
    setRunState(metrics, 'running');
  }
  log.info({ mode: config.mode, seed: config.seed, customers: config.customers }, 'run started');
  try {
    const batches: Iterable<StreamEvent[]> | AsyncIterable<StreamEvent[]> =
      config.mode === 'backfill'
        ? backfillEvents(config)
        : realtimeEvents(config, deps.signal, Date.now, deps.control, (behindMs, targetRate) => {
            metrics?.paceBehind.set(behindMs / 1000);
            metrics?.targetRate.set(targetRate);
          });
    for await (const batch of batches) {
      if (deps.control?.paused) {
        // What was produced reaches Kafka before the pause takes hold.
        await sink.flush();
        if (metrics) setRunState(metrics, 'paused');
        log.info('run paused');
        await deps.control.whileRunning(deps.signal);
        if (metrics) setRunState(metrics, 'running');
        log.info('run resumed');
      }
      if (deps.signal?.aborted) {
        stopped = true;
        break;
      }
      await write(batch);
      count();
      deps.onProgress?.(produced);
    }
    if (deps.signal?.aborted) stopped = true;
    await sink.close();
  } catch (error) {
    await sink.close().catch(() => undefined);
    count();
    if (metrics) setRunState(metrics, 'failed');
    log.error({ err: error instanceof Error ? error.message : String(error) }, 'run failed');
    throw error;
  }
  count();
  if (metrics) setRunState(metrics, stopped ? 'stopped' : 'completed');
  const summary = {
    runId: config.runId,
    produced,
    fraudTransactions,
    topics,
    startedAt,
    endedAt: Date.now(),
    stopped,
  };
  log.info({ produced, fraudTransactions, stopped }, stopped ? 'run stopped' : 'run completed');
  return summary;
}
