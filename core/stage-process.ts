/** What every stage's command-line entry point does the same way. */
import { readFileSync } from 'node:fs';
import type { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import type { Config } from './config/schema.ts';
import { isSynfinError } from './errors.ts';
import { createKafkaClient, type KafkaClient } from './kafka/client.ts';
import type { Logger } from './logger.ts';
import { createMetricsRegistry } from './metrics.ts';
import { serveMetrics } from './metrics-server.ts';
import { createRegistryCodec, type RegistryCodec } from './registry/codec.ts';

/** The settings of a `--config` YAML file as a plain object (empty without one), for flags to override. */
export function readSettingsFile(file: string | number | undefined): Record<string, unknown> {
  return file === undefined
    ? {}
    : ((parseYaml(readFileSync(String(file), 'utf8')) ?? {}) as Record<string, unknown>);
}

/**
 * Aborts `controller` on SIGINT/SIGTERM, saying what the stage finishes first. Whatever a stage has
 * not committed is redone after a restart, so a stop that takes longer than `graceMs` gives up.
 */
export function stopOnSignals(controller: AbortController, finishing: string, graceMs = 15_000): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: ${finishing}, then stopping…`);
      controller.abort();
      setTimeout(() => process.exit(process.exitCode ?? 0), graceMs).unref();
    });
  }
}

/** Resolves once the stage is told to stop or `failed()` reports a failure. */
export function untilStopped(signal: AbortSignal, failed: () => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (signal.aborted || failed()) {
        clearInterval(check);
        resolve();
      }
    }, 100);
  });
}

export interface StageServices {
  kafka: KafkaClient;
  codec: RegistryCodec;
  registry: Registry;
}

/**
 * Runs a stage with the clients it needs — Kafka, the registry codec, a metrics registry served on
 * `metricsPort` when one is given — and closes them afterwards.
 */
export async function withStageServices(
  config: Config,
  logger: Logger,
  metricsPort: number | undefined,
  work: (services: StageServices) => Promise<void>,
): Promise<void> {
  const registry = createMetricsRegistry({ defaultMetrics: true });
  const server = metricsPort === undefined ? undefined : serveMetrics(registry, metricsPort);
  const kafka = createKafkaClient(config.kafka, logger);
  try {
    await work({ kafka, codec: createRegistryCodec(config.schemaRegistry), registry });
  } finally {
    server?.close();
    await kafka.close();
  }
}

/** A stage's entry point: a SynfinError (bad settings, a service unreachable) ends it with its code, exit status 2. */
export async function stageMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (!isSynfinError(error)) throw error;
    console.error(`error ${error.code}: ${error.message}`);
    process.exitCode = 2;
  }
}
