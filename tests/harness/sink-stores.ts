/**
 * Throw-away databases for sink tests: a ClickHouse database and a Postgres database per test file,
 * on the harness's servers (or on servers of the test's own, for outage tests), dropped afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import pg from 'pg';
import type { Config } from '../../core/config/schema.ts';
import { createMetricsRegistry } from '../../core/metrics.ts';
import { clickhouseClient } from '../../sinks/clickhouse/sink.ts';
import { parseSinkConfig } from '../../sinks/config.ts';
import { sinkMetrics } from '../../sinks/metrics.ts';
import { runSinks, type SinkDeps } from '../../sinks/run.ts';

export interface SinkStores {
  /** `base` with clickhouse.database and postgres.url pointing at the throw-away databases. */
  config: Config;
  clickhouse: ClickHouseClient;
  postgres: pg.Pool;
  /** One number from a ClickHouse query (its first column of its first row). */
  chNumber(query: string): Promise<number>;
  pgNumber(query: string): Promise<number>;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createSinkStores(base: Config, database: string): Promise<SinkStores> {
  const admin = new pg.Pool({ connectionString: base.postgres.url, max: 1 });
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const config: Config = {
    ...base,
    clickhouse: { ...base.clickhouse, database },
    postgres: { ...base.postgres, url: withDatabase(base.postgres.url, database) },
  };
  const clickhouse = clickhouseClient(config.clickhouse, database);
  const postgres = new pg.Pool({ connectionString: config.postgres.url, max: 2 });
  postgres.on('error', () => undefined);
  return {
    config,
    clickhouse,
    postgres,
    async chNumber(query) {
      // 18.16 has no JSONCompactEachRow: take the first field of the first object.
      const result = await clickhouse.query({ query, format: 'JSONEachRow' });
      const [row] = await result.json<Record<string, unknown>>();
      return Number(row ? Object.values(row)[0] : Number.NaN);
    },
    async pgNumber(query) {
      const { rows } = await postgres.query({ text: query, rowMode: 'array' });
      return Number((rows[0] as unknown[] | undefined)?.[0] ?? Number.NaN);
    },
    async drop() {
      await postgres.end();
      await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
      await clickhouse.close();
      const cleanup = new pg.Pool({ connectionString: base.postgres.url, max: 1 });
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await cleanup.end();
    },
  };
}

/** Polls `check` until it returns true; fails with `describe()` when the time is up. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => Promise<string> | string = () => 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (
      await check().catch((error: unknown) => {
        lastError = error;
        return false;
      })
    )
      return;
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`not reached in ${timeoutMs} ms: ${await describe()}${cause}`);
    }
    await sleep(500);
  }
}

/** The sinks in the test's own process, with metrics of their own; runs until `deps.signal` aborts. */
export function sinksInProcess(
  settings: Record<string, unknown>,
  deps: Omit<SinkDeps, 'metrics'>,
): Promise<void> {
  return runSinks(parseSinkConfig(settings), {
    ...deps,
    metrics: sinkMetrics(createMetricsRegistry({ defaultMetrics: false })),
  });
}
