/** Runs the configured sinks until the signal aborts or one fails. */

import type { Config } from '../core/config/schema.ts';
import type { KafkaClient } from '../core/kafka/client.ts';
import type { Logger } from '../core/logger.ts';
import type { RegistryCodec } from '../core/registry/codec.ts';
import { stageGroup } from '../core/run-topology.ts';
import { routesOf, type SinkConfig } from './config.ts';
import { runSink } from './engine/runtime.ts';
import type { SinkMetrics } from './metrics.ts';
import { createSink } from './registry.ts';

export interface SinkDeps {
  config: Config;
  kafka: KafkaClient;
  codec: RegistryCodec;
  logger: Logger;
  metrics: SinkMetrics;
  signal: AbortSignal;
}

export async function runSinks(settings: SinkConfig, deps: SinkDeps): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      settings.sinks.map((name) => {
        const routes = routesOf(settings, name);
        deps.logger.info({ sink: name, topics: [...routes.keys()] }, 'sink starting');
        return createSink(name, deps.config, { routes, logger: deps.logger })
          .then((sink) =>
            runSink(sink, {
              kafka: deps.kafka,
              logger: deps.logger,
              metrics: deps.metrics,
              signal: stop.signal,
              groupId: stageGroup(settings.groupPrefix, name),
              routes,
              codec: deps.codec,
              batch: settings.batch,
              retry: settings.retry,
              maxBytesPerPartition: settings.maxBytesPerPartition,
              maxBytesPerFetch: settings.maxBytesPerFetch,
            }),
          )
          .catch((error: unknown) => {
            stop.abort();
            throw error;
          });
      }),
    );
  } finally {
    deps.signal.removeEventListener('abort', onAbort);
  }
}
