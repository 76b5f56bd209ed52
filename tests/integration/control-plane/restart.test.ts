/**
 * The control plane killed mid-run (SIGKILL) and started again: a run that was still producing is
 * marked interrupted with the reason (its stages stopped with their supervisor, none left running),
 * and a run whose producer had finished is resumed and completes with every record landed once.
 */

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ControlPlaneClient,
  controlPlaneClient,
  type RunView,
} from '../../../control-plane/cli/client.ts';
import { newApiKey } from '../../../control-plane/http/auth.ts';
import { INTERRUPTED_WHILE_PRODUCING } from '../../../control-plane/runs/supervisor.ts';
import { freePort } from '../../../core/ports.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { uniqueName } from '../../harness/config.ts';
import { stageProcess, testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores } from '../../harness/sink-stores.ts';

const { endpoints, config: base, kafka } = testServices();
const name = uniqueName('cprestart');
const { key, entry } = newApiKey('it');
const workDir = mkdtempSync(path.join(tmpdir(), 'synfin-cp-restart-'));
let stores: SinkStores;
let server: ChildProcess | undefined;
let client: ControlPlaneClient;
let port = 0;
const runs: { live?: RunView; draining?: RunView; sigterm?: RunView } = {};
const liveAfterKill = { at: 0, later: 0 };
/** The supervisor log lines of both control-plane processes, to explain a failure. */
const serverLog: string[] = [];

async function startServer(): Promise<void> {
  server = stageProcess(
    endpoints,
    'control-plane/cli/synfin.ts',
    ['serve', '--port', String(port)],
    {
      SYNFIN_CONTROL_PLANE__API_KEY_HASHES: entry,
      SYNFIN_CONTROL_PLANE__WORK_DIR: workDir,
      SYNFIN_CONTROL_PLANE__STATUS_INTERVAL_MS: '300',
      SYNFIN_CLICKHOUSE__URL: stores.config.clickhouse.url,
      SYNFIN_CLICKHOUSE__DATABASE: stores.config.clickhouse.database,
      SYNFIN_POSTGRES__URL: stores.config.postgres.url,
      SYNFIN_LOG__LEVEL: 'info',
    },
    { stdout: 'pipe' },
  );
  server.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n'))
      if (line.includes('"component":"supervisor"')) serverLog.push(line);
  });
  await eventually(
    async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok,
    60_000,
    () => 'control plane up',
  );
}

const topicCount = async (topic: string) =>
  [...(await kafka.topicOffsets(topic)).values()].reduce((sum, p) => sum + p.high - p.low, 0);

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  port = await freePort();
  client = controlPlaneClient({ url: `http://127.0.0.1:${port}`, apiKey: key });
  await startServer();
  runs.live = await client.start({
    name: `${name}-live`,
    mode: 'realtime',
    ratePerSecond: 300,
    durationSeconds: 600,
    customers: 200,
    merchants: 40,
    partitions: 2,
  });
  runs.draining = await client.start({
    name: `${name}-backfill`,
    mode: 'backfill',
    customers: 1500,
    merchants: 200,
    days: 14,
    partitions: 2,
    fraud: { rate: 0.03, groundTruth: promptLabels(24) },
  });
  const draining = runs.draining.id;
  // Kill once the backfill's producer has finished but its records are still being processed.
  await eventually(
    async () => (await client.status(draining)).phase === 'draining',
    120_000,
    async () => JSON.stringify((await client.status(draining)).produced),
  );
  expect((await client.status(draining)).state).toBe('running');
  server?.kill('SIGKILL');
  await new Promise((resolve) => server?.once('exit', resolve));
  // Its stages follow it: the live run's producer stops producing.
  await sleep(5000);
  liveAfterKill.at = await topicCount(`${runs.live.id}.transactions`);
  await sleep(3000);
  liveAfterKill.later = await topicCount(`${runs.live.id}.transactions`);
  await startServer();
}, 300_000);

afterAll(async () => {
  server?.kill('SIGTERM');
  await new Promise((resolve) =>
    server?.exitCode === null ? server.once('exit', resolve) : resolve(undefined),
  );
  await stores?.drop();
  for (const run of Object.values(runs)) {
    if (!run) continue;
    const topics = ['customers', 'merchants', 'transactions', 'labels', 'features', 'labeled'].map(
      (t) => `${run.id}.${t}`,
    );
    await kafka.deleteTopics(topics).catch(() => undefined);
  }
  await kafka.close();
});

describe('a control plane killed mid-run and restarted', () => {
  it('leaves no stage running without it', () => {
    expect(liveAfterKill.at).toBeGreaterThan(0);
    expect(liveAfterKill.later).toBe(liveAfterKill.at);
  });

  it('marks a run that was producing interrupted, with the reason, and lists it', async () => {
    const live = await client.get(runs.live?.id as string);
    expect(live.state).toBe('interrupted');
    expect(live.error).toBe(INTERRUPTED_WHILE_PRODUCING);
    expect(live.endedAt).not.toBeNull();
    const listed = await client.list({ state: 'interrupted' });
    expect(listed.items.map((r) => r.id)).toContain(live.id);
  });

  it('resumes a run whose producer had finished: it completes with every record landed once', async () => {
    const id = runs.draining?.id as string;
    expect((await client.list()).items.map((r) => r.id)).toContain(id);
    await eventually(
      async () => (await client.get(id)).state === 'completed',
      240_000,
      async () => `${JSON.stringify(await client.status(id))}\n${serverLog.slice(-5).join('\n')}`,
    );
    const run = await client.get(id);
    const produced = run.stats.produced as Record<string, number>;
    expect(produced.transactions).toBeGreaterThan(5000);
    expect(produced.transactions).toBe(await topicCount(`${id}.transactions`));
    const topic = (kind: string) => `'${id}.${kind}'`;
    const ch = (sql: string) => stores.chNumber(sql);
    expect(await ch(`SELECT count() FROM transactions WHERE kafka_topic = ${topic('transactions')}`)).toBe(
      produced.transactions,
    );
    expect(
      await ch(`SELECT count() FROM transaction_features WHERE kafka_topic = ${topic('features')}`),
    ).toBe(produced.transactions);
    expect(
      await ch(
        `SELECT uniqExact(transaction_id) FROM transaction_features WHERE kafka_topic = ${topic('features')}`,
      ),
    ).toBe(produced.transactions);
    expect(await ch(`SELECT count() FROM fraud_labels WHERE kafka_topic = ${topic('labels')}`)).toBe(
      produced.labels,
    );
    // Both runs use the same customer ids (C0000001…); each run keeps its own rows.
    expect(
      await stores.pgNumber(`SELECT sum(next_offset) FROM sink_offsets WHERE topic = ${topic('customers')}`),
    ).toBe(produced.customers);
    expect(await stores.pgNumber(`SELECT count(*) FROM customers WHERE run_id = '${id}'`)).toBe(
      produced.customers,
    );
  }, 300_000);

  it('drains on SIGTERM: exits 0 after its run flushed, recording why the run ended', async () => {
    const run = await client.start({
      name: `${name}-sigterm`,
      mode: 'realtime',
      ratePerSecond: 300,
      customers: 100,
      merchants: 20,
    });
    await eventually(
      async () => ((await client.status(run.id)).produced.transactions ?? 0) > 300,
      60_000,
      () => 'producing',
    );
    server?.kill('SIGTERM');
    const code = await new Promise((resolve) => server?.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(0);
    const transactions = await topicCount(`${run.id}.transactions`);
    await sleep(2000);
    expect(await topicCount(`${run.id}.transactions`)).toBe(transactions);
    expect(
      await stores.pgNumber(
        `SELECT count(*) FROM runs WHERE id = '${run.id}' AND state = 'interrupted' AND error LIKE '%SIGTERM%'`,
      ),
    ).toBe(1);
    runs.sigterm = run;
  }, 120_000);
});
