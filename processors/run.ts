/** Runs the configured processor stages until the signal aborts or a stage fails. */
import type { KafkaClient } from '../core/kafka/client.ts';
import type { Logger } from '../core/logger.ts';
import type { RegistryCodec } from '../core/registry/codec.ts';
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
