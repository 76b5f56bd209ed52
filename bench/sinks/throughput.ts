/**
 * One sink process per database on the native stack: rows/s landed in ClickHouse and in Postgres,
 * from the sink's start to the last row committed. Input is produced first, so the number is the
 * sink's own rate. Progress is read off the sink's own /metrics (rows it committed), so watching
 * puts no load on the database; the exact counts are checked in the database at the end. The peer
 * is the database's own bulk loading of the same rows from files in the same run (curl into
 * ClickHouse's HTTP interface, psql \copy): the ceiling a sink could approach.
 */

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import type { Config } from '../../core/config/schema.ts';
import { METRIC } from '../../core/metric-names.ts';
import { projectRoot } from '../../core/paths.ts';
import { freePort } from '../../core/ports.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../producers/config.ts';
import { runGenerator } from '../../producers/run.ts';
import { clickhouseClient, clickhouseSink } from '../../sinks/clickhouse/sink.ts';
import type { SinkName } from '../../sinks/config.ts';
import { SINK_NODE_FLAGS } from '../../sinks/node-flags.ts';
import { type BenchRow, benchServices, report } from '../lib.ts';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 1);
const BATCH_ROWS = Number(process.env.BENCH_BATCH_ROWS ?? 20_000);
const { config: base, logger, kafka, codec } = await benchServices();
const name = `bench_sink_${Date.now().toString(36)}`;
const generator = parseGeneratorConfig({
  runId: name,
  customers: CUSTOMERS,
  merchants: Math.max(100, CUSTOMERS / 20),
  days: DAYS,
  topics: prefixedTopics(name, 6),
});
const produced = (
  await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal })
).produced;
console.error(`[bench] produced ${JSON.stringify(produced)}`);

const pgAdmin = new pg.Pool({ connectionString: base.postgres.url, max: 1 });
await pgAdmin.query(`CREATE DATABASE ${name}`);
const pgUrl = new URL(base.postgres.url);
pgUrl.pathname = `/${name}`;
const config: Config = {
  ...base,
  clickhouse: { ...base.clickhouse, database: name },
  postgres: { ...base.postgres, url: pgUrl.toString() },
};

// The sink runs as the image runs it: compiled (`npm run build`), not through type stripping, which
// alone adds ~50 MB of RSS.
execFileSync(
  process.execPath,
  [path.join(projectRoot(), 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: projectRoot(),
    stdio: 'inherit',
  },
);

/** VmHWM of a process: its peak resident set, in bytes. */
function peakRssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Rows the sink has committed and its V8 heap and external memory now, from its /metrics. */
async function sinkProgress(port: number): Promise<{ rows: number; heap: number; external: number }> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    let rows = 0;
    for (const match of text.matchAll(new RegExp(`^${METRIC.sinkRowsWritten}\\{[^}]*\\} (\\d+)$`, 'gm')))
      rows += Number(match[1]);
    const gauge = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return {
      rows,
      heap: gauge('synfin_nodejs_heap_size_total_bytes'),
      external: gauge('synfin_nodejs_external_memory_bytes'),
    };
  } catch {
    return { rows: 0, heap: 0, external: 0 };
  }
}

/**
 * Runs one sink as its own process (the CLI, as deployed) until it has committed `expected` rows,
 * then checks its database holds exactly them; rows/s overall and in steady state, peak RSS.
 */
async function measure(sink: SinkName, expected: number, count: () => Promise<number>) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...SINK_NODE_FLAGS,
      path.join(projectRoot(), 'dist', 'sinks', 'cli.js'),
      '--sink',
      sink,
      '--topic-prefix',
      name,
      '--group-prefix',
      `${name}-bench`,
      '--config',
      settingsFile,
      '--metrics-port',
      String(port),
    ],
    {
      env: {
        ...process.env,
        SYNFIN_LOG__LEVEL: 'warn',
        // Node flags for the sink alone (a heap limit, --cpu-prof), apart from this process's.
        ...(process.env.BENCH_SINK_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SINK_NODE_OPTIONS } : {}),
        SYNFIN_CLICKHOUSE__DATABASE: name,
        SYNFIN_POSTGRES__URL: config.postgres.url,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  let landed = 0;
  let peakRss = 0;
  let peakHeap = 0;
  let peakExternal = 0;
  let first: { at: number; rows: number } | undefined;
  while (landed < expected) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const progress = await sinkProgress(port);
    landed = progress.rows;
    peakHeap = Math.max(peakHeap, progress.heap);
    peakExternal = Math.max(peakExternal, progress.external);
    peakRss = Math.max(peakRss, peakRssOf(child.pid as number));
    if (landed > 0 && !first) first = { at: performance.now(), rows: landed };
  }
  const finished = performance.now();
  const seconds = (finished - started) / 1000;
  // Steady state: from the first batch landed to the last (start-up — Node, migrations, joining
  // the group, the first fetch — left out).
  const steady = first ? (expected - first.rows) / ((finished - first.at) / 1000) : 0;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const counted = await count();
  if (counted !== expected) throw new Error(`${sink}: ${counted} rows in the database, ${expected} produced`);
  return { rowsPerSecond: expected / seconds, steady, seconds, peakRss, peakHeap, peakExternal };
}

const settingsFile = path.join(mkdtempSync(path.join(tmpdir(), 'synfin-bench-')), 'sink.yaml');
writeFileSync(
  settingsFile,
  stringify({
    clickhouse: { kinds: ['customers', 'merchants', 'transactions', 'labels'] },
    // Batches fill by rows from the backlog; a short wait only keeps the input's tail from idling a second.
    batch: {
      maxRows: BATCH_ROWS,
      maxWaitMs: 100,
      ...(process.env.BENCH_BATCH_BYTES ? { maxBytes: Number(process.env.BENCH_BATCH_BYTES) } : {}),
    },
  }),
);
const ch = clickhouseClient(config.clickhouse, name);
const db = new pg.Pool({ connectionString: config.postgres.url, max: 1 });
const chCount = async () => {
  let total = 0;
  for (const table of ['customers', 'merchants', 'transactions', 'fraud_labels']) {
    const [row] = await (
      await ch.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })
    ).json<{
      n: string;
    }>();
    total += Number(row?.n ?? 0);
  }
  return total;
};
const pgCount = async () =>
  Number(
    (
      await db.query(
        'SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM merchants) + (SELECT count(*) FROM fraud_labels) AS n',
      )
    ).rows[0]?.n ?? 0,
  );

const chRows = produced.customer + produced.merchant + produced.transaction + produced.label;
const pgRows = produced.customer + produced.merchant + produced.label;
const clickhouse = await measure('clickhouse', chRows, chCount);
const postgres = await measure('postgres', pgRows, pgCount);

// Peers: the databases' own loaders, same rows, same run.
const dir = mkdtempSync(path.join(tmpdir(), 'synfin-bench-'));
// The peer loads into the same schema (materialized views included) in a database of its own.
const peerSink = clickhouseSink(
  { ...config.clickhouse, database: `${name}_peer` },
  { routes: new Map([['peer', 'transactions']]), logger },
);
await peerSink.start();
await peerSink.close();
// Every table the sink landed, as TabSeparated files (SELECT * leaves out MATERIALIZED columns,
// as INSERT without a column list expects); then posted one after another, timed together.
const CH_TABLES = ['customers', 'merchants', 'transactions', 'fraud_labels'];
for (const table of CH_TABLES) {
  const exported = await (await ch.query({ query: `SELECT * FROM ${table}`, format: 'TabSeparated' })).text();
  writeFileSync(path.join(dir, `${table}.tsv`), exported);
}
let started = performance.now();
for (const table of CH_TABLES) {
  // Debian ships no clickhouse-client with the 18.16 server here: curl posts each file to the same
  // HTTP interface the sink uses, with no client work at all.
  execFileSync('curl', [
    '-sS',
    '--fail-with-body',
    '--data-binary',
    `@${path.join(dir, `${table}.tsv`)}`,
    `${base.clickhouse.url}/?database=${name}_peer&query=${encodeURIComponent(`INSERT INTO ${table} FORMAT TabSeparated`)}`,
  ]);
}
const chPeer = chRows / ((performance.now() - started) / 1000);
await ch.close();

// \copy of the same rows into empty copies of the tables (indexes included).
const PG_TABLES = ['customers', 'merchants', 'fraud_labels'];
for (const table of PG_TABLES) {
  execFileSync('psql', [
    config.postgres.url,
    '-qc',
    `\\copy ${table} TO '${path.join(dir, `${table}.copy`)}'`,
  ]);
  await db.query(`CREATE TABLE ${table}_peer (LIKE ${table} INCLUDING ALL)`);
}
started = performance.now();
for (const table of PG_TABLES) {
  execFileSync('psql', [
    config.postgres.url,
    '-qc',
    `\\copy ${table}_peer FROM '${path.join(dir, `${table}.copy`)}'`,
  ]);
}
const pgPeer = pgRows / ((performance.now() - started) / 1000);
await db.end();
rmSync(dir, { recursive: true, force: true });

await ch.close().catch(() => undefined);
const admin = clickhouseClient(base.clickhouse);
await admin.command({ query: `DROP DATABASE IF EXISTS ${name}` });
await admin.command({ query: `DROP DATABASE IF EXISTS ${name}_peer` });
await admin.close();
await pgAdmin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await pgAdmin.end();
await kafka.deleteTopics(Object.values(generator.topics).filter((t): t is string => typeof t === 'string'));
await kafka.close();

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const rows: BenchRow[] = [
  {
    case: `ClickHouse sink, one process: ${chRows} rows (customers, merchants, transactions, labels)`,
    value: Math.round(clickhouse.rowsPerSecond),
    unit: 'rows/s',
    note: `process start to last row committed, ${clickhouse.seconds.toFixed(1)} s; peak RSS ${mb(clickhouse.peakRss)} MB (target ≤ 300; V8 heap ${mb(clickhouse.peakHeap)} MB, external ${mb(clickhouse.peakExternal)} MB)`,
  },
  {
    case: 'ClickHouse sink, steady state (first batch landed → last)',
    value: Math.round(clickhouse.steady),
    unit: 'rows/s',
    target: '≥ 100,000 and ≥ 0.5× peer',
    note: `steady/peer = ${(clickhouse.steady / chPeer).toFixed(2)}`,
  },
  {
    case: 'peer: curl POST of TabSeparated files of the same rows, same tables and views',
    value: Math.round(chPeer),
    unit: 'rows/s',
  },
  {
    case: `Postgres sink, one process: ${pgRows} rows (customers, merchants, labels upserted)`,
    value: Math.round(postgres.rowsPerSecond),
    unit: 'rows/s',
    note: `process start to last row committed, ${postgres.seconds.toFixed(1)} s; peak RSS ${mb(postgres.peakRss)} MB (target ≤ 300; V8 heap ${mb(postgres.peakHeap)} MB, external ${mb(postgres.peakExternal)} MB)`,
  },
  {
    case: 'Postgres sink, steady state (first batch landed → last)',
    value: Math.round(postgres.steady),
    unit: 'rows/s',
    target: '≥ 60,000 and ≥ 0.4× peer',
    note: `steady/peer = ${(postgres.steady / pgPeer).toFixed(2)}; upserts and positions included`,
  },
  {
    case: 'peer: psql \\copy of the same rows into empty copies of the tables',
    value: Math.round(pgPeer),
    unit: 'rows/s',
    note: '\\copy has no upsert or offsets',
  },
];
report('sinks-throughput', rows, { produced, customers: CUSTOMERS, days: DAYS });
