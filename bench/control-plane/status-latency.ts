#!/usr/bin/env node
/**
 * GET /v1/runs/{id}/status under load from a second process (autocannon, 10 connections), while a
 * run produces at full speed: p50/p95/p99 latency and requests/s. Two cases: a producer-only
 * backfill, and a backfill with every processor and sink running too (the whole machine busy).
 * Target (issue): p99 < 25 ms at ≥ 1000 requests/s.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchRow, benchServices, report, startControlPlane } from '../lib.ts';

const SECONDS = 15;
const { kafka } = await benchServices();
await kafka.close();
const { url, client, stop: stopControlPlane } = await startControlPlane();

const rows: BenchRow[] = [];
try {
  for (const pipeline of [false, true]) {
    const label = pipeline ? 'with processors and both sinks' : 'producer only';
    const run = await client.start({
      name: `bench status ${label}`,
      mode: 'backfill',
      customers: 20_000,
      merchants: 2_000,
      days: 60,
      processors: pipeline,
      sinks: pipeline ? ['clickhouse', 'postgres'] : [],
    });
    for (let i = 0; (await client.status(run.id)).phase !== 'producing'; i++) {
      if (i > 240) throw new Error('run did not start producing');
      await sleep(250);
    }
    const before = await client.status(run.id);
    const t0 = Date.now();
    const output = execFileSync(
      process.execPath,
      [path.join(import.meta.dirname, 'load.ts'), `${url}/v1/runs/${run.id}/status`, '10', String(SECONDS)],
      { encoding: 'utf8' },
    );
    const after = await client.status(run.id);
    const produced = (s: typeof after) => Object.values(s.produced).reduce((a, b) => a + b, 0);
    const eventsPerSecond = (produced(after) - produced(before)) / ((Date.now() - t0) / 1000);
    const load = JSON.parse(output.trim().split('\n').at(-1) as string) as Record<string, number>;
    console.error(
      `[bench] ${label}: ${JSON.stringify(load)}; run produced ${Math.round(eventsPerSecond)} events/s meanwhile (${after.phase})`,
    );
    const note = `run ${label}: ${Math.round(eventsPerSecond).toLocaleString('en-US')} events/s acknowledged meanwhile; ${load.errors} errors, ${load.non2xx} non-2xx`;
    rows.push(
      {
        case: `status requests/s, ${label}`,
        value: load.requestsPerSecond as number,
        unit: 'req/s',
        target: '≥ 1000',
        note,
      },
      { case: `status p50, ${label}`, value: load.p50 as number, unit: 'ms' },
      { case: `status p95, ${label}`, value: load.p95 as number, unit: 'ms' },
      { case: `status p99, ${label}`, value: load.p99 as number, unit: 'ms', target: '< 25' },
    );
    await client.act(run.id, 'stop').catch(() => undefined);
  }
} finally {
  await stopControlPlane();
}
report('control-plane-status', rows);
