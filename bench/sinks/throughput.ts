/**
 * One sink process per database on the native stack: rows/s landed in ClickHouse and in Postgres,
 * from the sink's start to the last row committed. Input is produced first, so the number is the
 * sink's own rate. The peer is the database's own bulk loader (clickhouse-client / psql \copy)
 * loading the same rows from a file in the same run: the ceiling a sink could approach.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import type { Config } from '../../core/config/schema.ts';
import { projectRoot } from '../../core/paths.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../producers/config.ts';
import { runGenerator } from '../../producers/run.ts';
import { clickhouseClient, clickhouseSink } from '../../sinks/clickhouse/sink.ts';
import type { SinkName } from '../../sinks/config.ts';
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

/** VmHWM of a process: its peak resident set, in bytes. */
function peakRssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/**
 * Runs one sink as its own process (the CLI, as deployed) until `expected` rows are in its
 * database; rows/s overall and in steady state, and the process's peak RSS.
 */
async function measure(sink: SinkName, expected: number, count: () => Promise<number>) {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      path.join(projectRoot(), 'sinks', 'cli.ts'),
      '--sink',
      sink,
      '--topic-prefix',
      name,
      '--group-prefix',
      `${name}-bench`,
      '--config',
      settingsFile,
    ],
    {
      env: {
        ...process.env,
        SYNFIN_LOG__LEVEL: 'warn',
        SYNFIN_CLICKHOUSE__DATABASE: name,
        SYNFIN_POSTGRES__URL: config.postgres.url,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  let landed = 0;
  let peakRss = 0;
  let first: { at: number; rows: number } | undefined;
  while (landed < expected) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    landed = await count().catch(() => 0);
    peakRss = Math.max(peakRss, peakRssOf(child.pid as number));
    if (landed > 0 && !first) first = { at: performance.now(), rows: landed };
  }
  const seconds = (performance.now() - started) / 1000;
  // Steady state: from the first batch landed to the last (start-up — Node, migrations, joining
  // the group, the first fetch — left out).
  const steady = first ? (expected - first.rows) / ((performance.now() - first.at) / 1000) : 0;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return { rowsPerSecond: expected / seconds, steady, seconds, peakRss };
}

const settingsFile = path.join(mkdtempSync(path.join(tmpdir(), 'synfin-bench-')), 'sink.yaml');
writeFileSync(
  settingsFile,
  stringify({
    clickhouse: { kinds: ['customers', 'merchants', 'transactions', 'labels'] },
    batch: { maxRows: BATCH_ROWS },
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
const exported = await (
  await ch.query({ query: 'SELECT * FROM transactions', format: 'TabSeparated' })
).text();
const file = path.join(dir, 'transactions.tsv');
writeFileSync(file, exported);
// The peer loads into the same schema (materialized views included) in a database of its own.
const peerSink = clickhouseSink(
  { ...config.clickhouse, database: `${name}_peer` },
  { routes: new Map([['peer', 'transactions']]), logger },
);
await peerSink.start();
await peerSink.close();
let started = performance.now();
// Debian ships no clickhouse-client with the 18.16 server here: curl posts the file to the same
// HTTP interface the sink uses, with no client work at all.
execFileSync('curl', [
  '-sS',
  '--fail-with-body',
  '--data-binary',
  `@${file}`,
  `${base.clickhouse.url}/?database=${name}_peer&query=${encodeURIComponent('INSERT INTO transactions FORMAT TabSeparated')}`,
]);
const chPeer = produced.transaction / ((performance.now() - started) / 1000);
await ch.close();

const csv = path.join(dir, 'customers.copy');
execFileSync('psql', [config.postgres.url, '-qc', `\\copy customers TO '${csv}'`]);
await db.query('CREATE TABLE customers_peer (LIKE customers INCLUDING ALL)');
started = performance.now();
execFileSync('psql', [config.postgres.url, '-qc', `\\copy customers_peer FROM '${csv}'`]);
const pgPeer = produced.customer / ((performance.now() - started) / 1000);
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
    target: '≥ 200,000',
    note: `process start to last row committed, ${clickhouse.seconds.toFixed(1)} s; peak RSS ${mb(clickhouse.peakRss)} MB`,
  },
  {
    case: 'ClickHouse sink, steady state (first batch landed → last)',
    value: Math.round(clickhouse.steady),
    unit: 'rows/s',
    target: '≥ 200,000',
  },
  {
    case: 'peer: curl POST of a TabSeparated file of the same transactions, same tables and views',
    value: Math.round(chPeer),
    unit: 'rows/s',
    note: `sink/peer = ${(clickhouse.rowsPerSecond / chPeer).toFixed(2)}`,
  },
  {
    case: `Postgres sink, one process: ${pgRows} rows (customers, merchants, labels upserted)`,
    value: Math.round(postgres.rowsPerSecond),
    unit: 'rows/s',
    target: '≥ 50,000',
    note: `process start to last row committed, ${postgres.seconds.toFixed(1)} s; peak RSS ${mb(postgres.peakRss)} MB`,
  },
  {
    case: 'Postgres sink, steady state (first batch landed → last)',
    value: Math.round(postgres.steady),
    unit: 'rows/s',
    target: '≥ 50,000',
  },
  {
    case: 'peer: psql \\copy of the same customers into an empty table',
    value: Math.round(pgPeer),
    unit: 'rows/s',
    note: `sink/peer = ${(postgres.rowsPerSecond / pgPeer).toFixed(2)}; \\copy has no upsert or offsets`,
  },
];
report('sinks-throughput', rows, { produced, customers: CUSTOMERS, days: DAYS });
