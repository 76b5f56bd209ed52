#!/usr/bin/env node
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../core/config/load.ts';
import { clickhouseClient, quoteString } from '../../sinks/clickhouse/reader.ts';
import { type BenchRow, benchServices, report, startControlPlane } from '../lib.ts';

const RATE = Number(process.env.BENCH_RATE ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
/** Processor instances on worker threads of the run's processor process (`processorThreads`). */
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const { kafka } = await benchServices();
await kafka.close();
const config = loadConfig({ env: { ...process.env, SYNFIN_LOG__LEVEL: 'warn' } });
const { client, stop: stopControlPlane } = await startControlPlane();

const rows: BenchRow[] = [];
try {
  const started = Date.now();
  const run = await client.start({
    name: 'bench realtime latency',
    mode: 'realtime',
    ratePerSecond: RATE,
    durationSeconds: SECONDS,
    customers: 20_000,
    merchants: 1_000,
    // As measured before the run spec took the generator's default (6).
    partitions: 3,
    processors: true,
    processorThreads: THREADS,
    sinks: ['clickhouse', 'postgres'],
  });
  let status = await client.status(run.id);
  while (!['completed', 'failed', 'stopped', 'interrupted'].includes(status.state)) {
    if (Date.now() - started > 600_000) throw new Error(`run still ${status.state} after 600 s`);
    await sleep(1000);
    status = await client.status(run.id);
  }
  const completedAfter = (Date.now() - started) / 1000;
  console.error(`[bench] run ${run.id}: ${status.state} after ${completedAfter.toFixed(1)} s`);
  const clickhouse = clickhouseClient(config.clickhouse, config.clickhouse.database);
  const query = `SELECT count() AS n, quantilesExact(0.5, 0.95, 0.99)(behind) AS q, max(behind) AS worst,
      sum(late) AS late
    FROM (SELECT toUnixTimestamp(ingested_at) * 1000 - toInt64(event_time_ms) AS behind, late
          FROM transaction_features WHERE run_id = ${quoteString(run.id)})`;
  const [result] = await (await clickhouse.query({ query, format: 'JSONEachRow' })).json<{
    n: string;
    q: number[];
    worst: string;
    late: string;
  }>();
  await clickhouse.close();
  const [p50, p95, p99] = (result?.q ?? []).map((ms) => ms / 1000);
  const note = `${Number(result?.n ?? 0).toLocaleString('en-US')} feature rows of a ${SECONDS} s run at ${RATE.toLocaleString('en-US')} events/s, processorThreads ${THREADS}; ingested_at has whole seconds`;
  rows.push(
    { case: 'feature rows behind event time, p50', value: p50 ?? Number.NaN, unit: 's', note },
    { case: 'feature rows behind event time, p95', value: p95 ?? Number.NaN, unit: 's' },
    { case: 'feature rows behind event time, p99', value: p99 ?? Number.NaN, unit: 's', target: '≤ 5' },
    { case: 'worst', value: Number(result?.worst ?? Number.NaN) / 1000, unit: 's' },
    {
      case: 'feature rows flagged late (behind the processors’ latenessMs when they arrived)',
      value: Number(result?.late ?? Number.NaN),
      unit: 'rows',
    },
    {
      case: `run ${status.state} after its start`,
      value: completedAfter,
      unit: 's',
      target: `≤ ${SECONDS + 30}`,
    },
  );
} finally {
  await stopControlPlane();
}
report('pipeline-realtime-latency', rows, { rate: RATE, seconds: SECONDS });
