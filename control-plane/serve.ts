/**
 * The control plane process: migrations (the `runs` table), the supervisor (recovering runs a
 * previous process left), the HTTP server. SIGTERM drains: the server stops accepting, runs
 * flush and commit, then the process exits.
 */

import path from 'node:path';
import pg from 'pg';
import type { Config } from '../core/config/schema.ts';
import type { Logger } from '../core/logger.ts';
import { createMetricsRegistry } from '../core/metrics.ts';
import { projectRoot } from '../core/paths.ts';
import { cachedReadiness } from '../core/service-info.ts';
import { evaluateRunInWorker } from '../evaluation/report.ts';
import { postgresSink } from '../sinks/postgres/sink.ts';
import { loadKeys } from './http/auth.ts';
import { buildServer, type ControlPlaneServer } from './http/server.ts';
import { databaseLandedCounter } from './runs/landed.ts';
import { processLauncher, type StageLauncher } from './runs/launcher.ts';
import { postgresRunStore } from './runs/store.ts';
import { RunSupervisor } from './runs/supervisor.ts';

export interface ControlPlane {
  server: ControlPlaneServer;
  supervisor: RunSupervisor;
  url: string;
  recovered: { resumed: string[]; interrupted: string[] };
  /** Stops accepting, drains the runs, closes everything. */
  close(): Promise<void>;
}

/**
 * The settings a run's stages need, as the variables their config loader reads: they talk to the
 * services this control plane was configured with, however it was configured.
 */
export function stageEnvironment(config: Config): Record<string, string> {
  return {
    SYNFIN_KAFKA__BROKERS: config.kafka.brokers.join(','),
    SYNFIN_KAFKA__SSL: String(config.kafka.ssl),
    SYNFIN_KAFKA__SASL__MECHANISM: config.kafka.sasl.mechanism,
    SYNFIN_KAFKA__SASL__USERNAME: config.kafka.sasl.username,
    SYNFIN_KAFKA__SASL__PASSWORD: config.kafka.sasl.password,
    SYNFIN_SCHEMA_REGISTRY__URL: config.schemaRegistry.url,
    SYNFIN_CLICKHOUSE__URL: config.clickhouse.url,
    SYNFIN_CLICKHOUSE__DATABASE: config.clickhouse.database,
    SYNFIN_CLICKHOUSE__USERNAME: config.clickhouse.username,
    SYNFIN_CLICKHOUSE__PASSWORD: config.clickhouse.password,
    SYNFIN_POSTGRES__URL: config.postgres.url,
    SYNFIN_LOG__LEVEL: config.log.level,
  };
}

/** The runs table comes with the Postgres migrations (shared with the Postgres sink). */
export async function migrateRunsTable(config: Config, logger: Logger): Promise<void> {
  const migrator = postgresSink(config.postgres, { routes: new Map(), logger });
  try {
    await migrator.start();
  } finally {
    await migrator.close();
  }
}

export async function startControlPlane(
  config: Config,
  logger: Logger,
  options: { launcher?: StageLauncher; port?: number } = {},
): Promise<ControlPlane> {
  const cp = config.controlPlane;
  const apiKeys = loadKeys(cp);
  await migrateRunsTable(config, logger);
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 5 });
  // An idle connection the server closes (a restart, an administrator) is replaced on next use.
  pool.on('error', (error) => logger.warn({ err: error.message }, 'postgres connection lost'));
  try {
    return await serveWith(config, logger, options, pool, apiKeys);
  } catch (error) {
    await pool.end();
    throw error;
  }
}

async function serveWith(
  config: Config,
  logger: Logger,
  options: { launcher?: StageLauncher; port?: number },
  pool: pg.Pool,
  apiKeys: Map<string, string>,
): Promise<ControlPlane> {
  const cp = config.controlPlane;
  const supervisor = new RunSupervisor({
    store: postgresRunStore(pool),
    launcher:
      options.launcher ??
      processLauncher({ workDir: path.resolve(projectRoot(), cp.workDir), env: stageEnvironment(config) }),
    logger,
    statusIntervalMs: cp.statusIntervalMs,
    stopTimeoutMs: cp.drainTimeoutMs,
    landed: databaseLandedCounter(config),
    quotas: cp.quotas,
  });
  const recovered = await supervisor.recover();
  const registry = createMetricsRegistry({ defaultMetrics: true, prefix: config.metrics.prefix });
  const server = await buildServer({
    config: cp,
    supervisor,
    logger,
    apiKeys,
    readiness: cachedReadiness(config),
    registry,
    evaluate: (run, settings) => evaluateRunInWorker(config.clickhouse, run, settings),
  });
  const url = await server.listen({ host: cp.host, port: options.port ?? cp.port });
  logger.info({ url, recovered }, 'control plane listening');
  let closing: Promise<void> | undefined;
  return {
    server,
    supervisor,
    url,
    recovered,
    close() {
      closing ??= (async () => {
        await server.close();
        await supervisor.drain();
        await pool.end();
      })();
      return closing;
    },
  };
}
