/** What every stage's command-line entry point does the same way. */
import { readFileSync } from 'node:fs';
import type { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import type { Config } from './config/schema.ts';
import { isSynfinError } from './errors.ts';
import { createKafkaClient, type KafkaClient } from './kafka/client.ts';
import type { Logger } from './logger.ts';
import { createMetricsRegistry, kafkaClientMetrics } from './metrics.ts';
import { serveMetrics } from './metrics-server.ts';
import { createRegistryCodec, type RegistryCodec } from './registry/codec.ts';
import { cachedReadiness } from './service-info.ts';
import type { AddMetrics, MetricsSnapshot } from './stage-threads.ts';

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
  const stop = (why: string) => {
    if (controller.signal.aborted) return;
    console.error(`\n${why}: ${finishing}, then stopping…`);
    controller.abort();
    setTimeout(() => process.exit(process.exitCode ?? 0), graceMs).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop(signal));
  // Started by the control plane with an IPC channel: when it goes away (even killed), so do we —
  // a stage is never left running without its supervisor.
  if (process.send) process.once('disconnect', () => leaving || stop('control plane gone'));
}

let leaving = false;

/** Closes the IPC channel to the control plane once the stage is done (it would keep us alive). */
export function leaveSupervisor(): void {
  leaving = true;
  if (process.connected) process.disconnect();
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
  /** Adds stage threads' metrics to what /metrics serves; returns the call that removes them. */
  addMetrics: AddMetrics;
}

export interface StageProcessOptions {
  config: Config;
  logger: Logger;
  /** Serve /metrics, /health and /ready here (a flag over `metrics.port`); nothing when 0 or absent. */
  metricsPort?: number | undefined;
  /** The services `/ready` probes: those the stage cannot work without. */
  dependsOn: readonly string[];
}

/**
 * Runs a stage with the clients it needs — Kafka (its producers counted in synfin_kafka_*), the
 * registry codec, a metrics registry labelled with the run id and served with health and
 * readiness when a port is given — and closes them afterwards.
 */
export async function withStageServices(
  options: StageProcessOptions,
  work: (services: StageServices) => Promise<void>,
): Promise<void> {
  const { config, logger } = options;
  const registry = createMetricsRegistry({
    defaultMetrics: true,
    prefix: config.metrics.prefix,
    labels: config.runId ? { run_id: config.runId } : {},
  });
  const port = options.metricsPort ?? config.metrics.port;
  const threads = new Set<() => Promise<MetricsSnapshot[]>>();
  const server = port
    ? serveMetrics(registry, port, cachedReadiness(config, options.dependsOn), threads)
    : undefined;
  const kafka = createKafkaClient(config.kafka, logger, { metrics: kafkaClientMetrics(registry) });
  const addMetrics: AddMetrics = (source) => {
    threads.add(source);
    return () => threads.delete(source);
  };
  try {
    await work({ kafka, codec: createRegistryCodec(config.schemaRegistry), registry, addMetrics });
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
  } finally {
    leaveSupervisor();
  }
}
