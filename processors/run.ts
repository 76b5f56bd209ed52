/** Runs the configured processor stages until the signal aborts or a stage fails. */
import { hostname } from 'node:os';
import type { Config } from '../core/config/schema.ts';
import type { KafkaClient } from '../core/kafka/client.ts';
import type { Logger } from '../core/logger.ts';
import type { RegistryCodec } from '../core/registry/codec.ts';
import { type MetricsSnapshot, runStageThreads } from '../core/stage-threads.ts';
import type { ProcessorConfig } from './config.ts';
import { runStage } from './engine/runtime.ts';
import type { ProcessorMetrics } from './metrics.ts';
import { buildTopology } from './topology.ts';

export interface ProcessorDeps {
  kafka: KafkaClient;
  codec: RegistryCodec;
  logger: Logger;
  metrics: ProcessorMetrics;
  signal: AbortSignal;
  waitForInputsMs?: number;
}

export async function runProcessors(config: ProcessorConfig, deps: ProcessorDeps): Promise<void> {
  const topology = await buildTopology(config, deps);
  deps.logger.info(
    {
      stages: topology.stages.map((s) => s.name),
      partitions: topology.partitions,
      app: config.applicationId,
    },
    'processors starting',
  );
  // One failing stage stops the others: they share the process and its restart.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      topology.stages.map((stage) =>
        runStage(stage, {
          ...deps,
          signal: stop.signal,
          compression: config.compression,
          maxBatchBytes: config.maxBatchBytes,
          idleMs: config.idleMs,
          commitIntervalMs: config.commitIntervalMs,
          ...(config.instanceId === undefined ? {} : { instanceId: config.instanceId }),
        }).catch((error: unknown) => {
          stop.abort();
          throw error;
        }),
      ),
    );
  } finally {
    deps.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The young generation of each processor thread. The stages allocate per record and keep state
 * for weeks of event time; with V8's default (16 MB semi-spaces) short-lived garbage was promoted
 * and collected again as old — GC was 25% of a profile. `npm run bench -- processors` at 30,000
 * customers, one thread: default 4,102, semi-spaces of 16 MB 4,493, 32 MB 4,633 and 4,655, 64 MB
 * 4,132, 128 MB 4,007 transactions/s. Young generation = 3 × semi-space.
 */
const YOUNG_GENERATION_MB = 96;

/**
 * `config.threads` instances of the processors in this process, one per worker thread, each in the
 * same consumer groups under an instance id of its own (`<instanceId>-t<n>`). The main thread only
 * supervises and answers /metrics, /health and /ready, so those answer during long work too.
 */
export function runProcessorThreads(
  config: ProcessorConfig,
  deps: {
    config: Config;
    logger: Logger;
    signal: AbortSignal;
    logBindings?: Record<string, unknown>;
    addMetrics?: (source: () => Promise<MetricsSnapshot[]>) => () => void;
  },
): Promise<void> {
  const base = config.instanceId ?? `${hostname()}-${process.pid}`;
  deps.logger.info({ threads: config.threads, instanceId: base }, 'processor threads starting');
  return runStageThreads({
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    ...(deps.logBindings ? { logBindings: deps.logBindings } : {}),
    // Source (.ts, run by Node's type stripping) or the build (.js), whichever this module is.
    module: new URL(import.meta.url.endsWith('.ts') ? './thread.ts' : './thread.js', import.meta.url),
    count: config.threads,
    config: deps.config,
    data: (index: number) => ({ ...config, threads: 1, instanceId: `${base}-t${index}` }),
    signal: deps.signal,
    ...(deps.addMetrics ? { addMetrics: deps.addMetrics } : {}),
  }).then(() => undefined);
}
