/**
 * One generation run as `workers` shards on worker threads of one process (core/stage-threads.ts),
 * so one producer uses the machine's cores. The shards split the run's customers exactly as
 * process shards do — `no % count === index` — so their union is the single stream: worker i of a
 * process that owns shard s of c owns shard s + c·i of c·workers. A realtime rate is shared out
 * evenly, at start and on every change.
 */
import type { Config } from '../core/config/schema.ts';
import type { Logger } from '../core/logger.ts';
import type { ControlMessage } from '../core/stage-protocol.ts';
import { type MetricsSnapshot, runStageThreads } from '../core/stage-threads.ts';
import type { GeneratorConfig } from './config.ts';
import type { KafkaSinkOptions } from './kafka/event-sink.ts';
import { RateSchedule } from './rate-shape.ts';
import type { RunSummary } from './run.ts';

export interface GeneratorThreadData {
  generator: GeneratorConfig;
  sink: KafkaSinkOptions | undefined;
}

/**
 * The generator settings of each worker: its shard, its share of the rate (and of maxTransactions,
 * which then ends each shard after its share rather than the whole run after the first N), one
 * worker itself.
 */
export function workerShards(config: GeneratorConfig): GeneratorConfig[] {
  const { workers, shard, maxTransactions } = config;
  return Array.from({ length: workers }, (_, i) => ({
    ...config,
    workers: 1,
    ratePerSecond: config.ratePerSecond / workers,
    ...(config.rateShape ? { rateShape: RateSchedule.share(config.rateShape, workers) } : {}),
    shard: { index: shard.index + shard.count * i, count: shard.count * workers },
    ...(maxTransactions === undefined
      ? {}
      : { maxTransactions: Math.floor(maxTransactions / workers) + (i < maxTransactions % workers ? 1 : 0) }),
  }));
}

/** A control message as one of `workers` should get it (a rate is shared out). */
export function workerControl(message: ControlMessage, workers: number): ControlMessage {
  return message.type === 'rate' ? { type: 'rate', ratePerSecond: message.ratePerSecond / workers } : message;
}

/** What the workers did, as one run. */
export function mergeSummaries(summaries: readonly RunSummary[]): RunSummary {
  const [first, ...rest] = summaries;
  if (!first) throw new TypeError('no worker summaries to merge');
  const merged: RunSummary = { ...first, produced: { ...first.produced } };
  for (const summary of rest) {
    for (const [kind, count] of Object.entries(summary.produced) as [keyof RunSummary['produced'], number][])
      merged.produced[kind] += count;
    merged.fraudTransactions += summary.fraudTransactions;
    merged.startedAt = Math.min(merged.startedAt, summary.startedAt);
    merged.endedAt = Math.max(merged.endedAt, summary.endedAt);
    merged.stopped ||= summary.stopped;
  }
  return merged;
}

export async function runGeneratorThreads(
  config: GeneratorConfig,
  deps: {
    config: Config;
    logger: Logger;
    signal: AbortSignal;
    sink?: KafkaSinkOptions;
    /** Subscribes to the control messages of the run (pause, resume, rate). */
    onControl?: (listener: (message: ControlMessage) => void) => void;
    addMetrics?: (source: () => Promise<MetricsSnapshot[]>) => () => void;
  },
): Promise<RunSummary> {
  const shards = workerShards(config);
  deps.logger.info({ workers: config.workers }, 'producer workers starting');
  const summaries = await runStageThreads<GeneratorThreadData, RunSummary>({
    // Source (.ts, run by Node's type stripping) or the build (.js), whichever this module is.
    module: new URL(import.meta.url.endsWith('.ts') ? './thread.ts' : './thread.js', import.meta.url),
    count: shards.length,
    config: deps.config,
    data: (index) => ({ generator: shards[index] as GeneratorConfig, sink: deps.sink }),
    signal: deps.signal,
    ...(deps.addMetrics ? { addMetrics: deps.addMetrics } : {}),
    connect: (broadcast) =>
      deps.onControl?.((message) => {
        if (message.type !== 'stop') broadcast(workerControl(message, config.workers));
      }),
  });
  const done = summaries.filter((summary): summary is RunSummary => summary !== undefined);
  if (done.length !== shards.length)
    throw new TypeError(`${shards.length - done.length} producer workers ended without a summary`);
  return mergeSummaries(done);
}
