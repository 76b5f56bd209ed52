/**
 * The control plane process: its migrations (the `runs` table), the supervisor (recovering runs a
 * previous process left), the HTTP server. SIGTERM drains: the server stops accepting, runs
 * flush and commit, then the process exits.
 */

import path from 'node:path';
import pg from 'pg';
import { environmentOf } from '../core/config/environment.ts';
import type { Config } from '../core/config/schema.ts';
import type { Logger } from '../core/logger.ts';
import { createMetricsRegistry } from '../core/metrics.ts';
import { projectRoot } from '../core/paths.ts';
import { cachedReadiness } from '../core/service-info.ts';
import { evaluateRunInWorker } from '../evaluation/report.ts';
import { SINK_NAMES, sinkConnection } from '../sinks/registry.ts';
import { loadKeys } from './http/auth.ts';
import { buildServer, type ControlPlaneServer } from './http/server.ts';
import { sinkLandedCounter } from './runs/landed.ts';
import { processLauncher, type StageLauncher } from './runs/launcher.ts';
import { migrateControlPlane } from './runs/migrations.ts';
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
    ...environmentOf(['kafka'], config.kafka),
    ...environmentOf(['schemaRegistry'], config.schemaRegistry),
    ...Object.assign({}, ...SINK_NAMES.map((name) => environmentOf([name], sinkConnection(config, name)))),
    SYNFIN_LOG__LEVEL: config.log.level,
  };
}

export async function startControlPlane(
  config: Config,
  logger: Logger,
  options: { launcher?: StageLauncher; port?: number } = {},
): Promise<ControlPlane> {
  const cp = config.controlPlane;
  const apiKeys = loadKeys(cp);
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 5 });
  // An idle connection the server closes (a restart, an administrator) is replaced on next use.
  pool.on('error', (error) => logger.warn({ err: error.message }, 'postgres connection lost'));
  try {
    await migrateControlPlane(pool, logger);
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
    landed: sinkLandedCounter(config),
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
