/**
 * The control plane on the real stack: a run started over REST runs its producer, processors and
 * sinks as processes; its progress arrives as Server-Sent Events; its rate changes live; pause
 * holds production; stop drains it. What /status reports equals what Kafka and both databases hold.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlaneClient, controlPlaneClient } from '../../../control-plane/cli/client.ts';
import { newApiKey } from '../../../control-plane/http/auth.ts';
import type { RunStatus } from '../../../control-plane/runs/status.ts';
import { type ControlPlane, startControlPlane } from '../../../control-plane/serve.ts';
import type { Config } from '../../../core/config/schema.ts';
import { freePort } from '../../../core/ports.ts';
import { runTopicNames } from '../../../core/run-topology.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { uniqueName } from '../../harness/config.ts';
import { readTopic } from '../../harness/kafka-read.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores } from '../../harness/sink-stores.ts';

const { config: base, logger, kafka } = testServices();
const name = uniqueName('cprest');
let stores: SinkStores;
let controlPlane: ControlPlane;
let client: ControlPlaneClient;
let runId = '';
const events: { event: string; data: unknown }[] = [];
let final: RunStatus;
const rates: { before: number; after: number } = { before: 0, after: 0 };
const paused: { atPause: number; later: number; resumed: number } = { atPause: 0, later: 0, resumed: 0 };
/** Runs started by the tests themselves, whose topics go at the end. */
const wideRuns: string[] = [];

async function transactionsProduced(): Promise<number> {
  return (await client.status(runId)).produced.transactions ?? 0;
}

/** Transactions per second acknowledged over `seconds`, measured from two /status calls. */
async function measuredRate(seconds: number): Promise<number> {
  const first = await transactionsProduced();
  await sleep(seconds * 1000);
  return ((await transactionsProduced()) - first) / seconds;
}

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  const { key, entry } = newApiKey('it');
  const config: Config = {
    ...stores.config,
    controlPlane: {
      ...stores.config.controlPlane,
      apiKeyHashes: [entry],
      workDir: mkdtempSync(path.join(tmpdir(), 'synfin-cp-')),
      statusIntervalMs: 500,
    },
  };
  controlPlane = await startControlPlane(config, logger, { port: await freePort() });
  client = controlPlaneClient({ url: controlPlane.url, apiKey: key });

  const run = await client.start({
    name,
    mode: 'realtime',
    ratePerSecond: 250,
    durationSeconds: 600,
    customers: 300,
    merchants: 60,
    partitions: 2,
    fraud: { rate: 0.05, groundTruth: promptLabels(0.0005) },
  });
  runId = run.id;
  expect(run.state).toBe('running');
  void (async () => {
    for await (const event of client.events(runId)) events.push(event);
  })().catch(() => undefined);

  await eventually(
    async () => (await transactionsProduced()) > 500,
    60_000,
    () => 'transactions flowing',
  );
  rates.before = await measuredRate(4);
  await client.setRate(runId, 1000);
  await sleep(1000);
  rates.after = await measuredRate(4);

  expect((await client.act(runId, 'pause')).state).toBe('paused');
  await sleep(2000); // in-flight batches reach Kafka
  paused.atPause = await transactionsProduced();
  await sleep(3000);
  paused.later = await transactionsProduced();
  expect((await client.act(runId, 'resume')).state).toBe('running');
  await eventually(
    async () => (await transactionsProduced()) > paused.later + 500,
    30_000,
    () => 'resumed',
  );
  paused.resumed = await transactionsProduced();

  expect((await client.act(runId, 'stop')).state).toBe('stopping');
  await eventually(
    async () => (await client.get(runId)).state === 'stopped',
    180_000,
    async () => JSON.stringify(await client.status(runId)),
  );
  final = await client.status(runId);
}, 400_000);

afterAll(async () => {
  await controlPlane?.close();
  await stores?.drop();
  if (runId) {
    await kafka.deleteTopics(Object.values(runTopicNames(runId))).catch(() => undefined);
  }
  for (const id of wideRuns) {
    await kafka.deleteTopics(Object.values(runTopicNames(id))).catch(() => undefined);
  }
  await kafka.close();
});

describe('a run driven over REST', () => {
  it('changes its rate live, holds production while paused and resumes', () => {
    console.info(
      `[control-plane] transactions/s at 250: ${rates.before.toFixed(0)}, after PATCH to 1000: ${rates.after.toFixed(0)}; paused at ${paused.atPause}, 3 s later ${paused.later}`,
    );
    expect(rates.before).toBeGreaterThan(150);
    expect(rates.before).toBeLessThan(400);
    expect(rates.after).toBeGreaterThan(2 * rates.before);
    expect(paused.later).toBe(paused.atPause);
    expect(paused.resumed).toBeGreaterThan(paused.later);
  });

  it('streams its progress and every state change as Server-Sent Events, ending with the final status', () => {
    const statuses = events.filter((e) => e.event === 'status').map((e) => e.data as RunStatus);
    expect(statuses.length).toBeGreaterThan(20);
    const produced = statuses.map((s) => s.produced.transactions ?? 0);
    expect(produced.at(-1)).toBeGreaterThan(produced[0] ?? 0);
    const states = events.filter((e) => e.event === 'state').map((e) => (e.data as { state: string }).state);
    expect(states).toEqual(['paused', 'running', 'stopping', 'stopped']);
    expect(events.at(-1)?.event).toBe('end');
    expect((events.at(-1)?.data as RunStatus | undefined)?.state).toBe('stopped');
  });

  it('reports counts equal to what Kafka holds', async () => {
    expect(final).toMatchObject({ state: 'stopped', phase: 'done' });
    for (const kind of ['customers', 'merchants', 'transactions', 'labels']) {
      const offsets = await kafka.topicOffsets(`${runId}.${kind}`);
      const inKafka = [...offsets.values()].reduce((sum, p) => sum + p.high - p.low, 0);
      expect(final.produced[kind], kind).toBe(inKafka);
    }
    expect(final.produced.transactions).toBeGreaterThan(3000);
    expect(final.produced.labels).toBeGreaterThan(0);
    expect(final.produced.features).toBe(final.produced.transactions);
    expect(final.consumerLag).toEqual({ processors: 0, sinks: { clickhouse: 0, postgres: 0 } });
  });

  it('reports counts equal to what ClickHouse and Postgres hold', async () => {
    const topic = (kind: string) => `'${runId}.${kind}'`;
    const ch = (sql: string) => stores.chNumber(sql);
    expect(await ch(`SELECT count() FROM transactions WHERE kafka_topic = ${topic('transactions')}`)).toBe(
      final.produced.transactions,
    );
    expect(
      await ch(`SELECT count() FROM transaction_features WHERE kafka_topic = ${topic('features')}`),
    ).toBe(final.produced.features);
    expect(await ch(`SELECT count() FROM fraud_labels WHERE kafka_topic = ${topic('labels')}`)).toBe(
      final.produced.labels,
    );
    expect(await ch(`SELECT count() FROM customers FINAL WHERE kafka_topic = ${topic('customers')}`)).toBe(
      final.produced.customers,
    );
    expect(final.sinkRows.clickhouse?.transactions).toBe(final.produced.transactions);
    expect(
      await stores.pgNumber(`SELECT count(*) FROM customers WHERE kafka_topic = ${topic('customers')}`),
    ).toBe(final.produced.customers);
    expect(
      await stores.pgNumber(`SELECT count(*) FROM fraud_labels WHERE kafka_topic = ${topic('labels')}`),
    ).toBe(final.produced.labels);
    expect(final.sinkRows.postgres?.customers).toBe(final.produced.customers);
  });

  it('keeps the run in Postgres: listed, with its spec and times', async () => {
    const page = await client.list({ state: 'stopped' });
    const run = page.items.find((r) => r.id === runId);
    expect(run).toMatchObject({ name, state: 'stopped', spec: { mode: 'realtime', partitions: 2 } });
    expect(run?.startedAt).not.toBeNull();
    expect(run?.endedAt).not.toBeNull();
    expect(
      await stores.pgNumber(`SELECT count(*) FROM runs WHERE id = '${runId}' AND state = 'stopped'`),
    ).toBe(1);
  });

  it('completes a backfill over 35 partitions: stages wait out topics just created, never die of it', async () => {
    const wide = await client.start({
      name: `${name}-wide`,
      mode: 'backfill',
      customers: 120,
      merchants: 30,
      days: 1,
      partitions: 35,
      // A schedule: the manifest reaches the run's drift topic, drift_changes and the REST layer.
      startDate: '2026-04-03',
      drift: {
        scenarios: [{ scenario: 'card_testing', day: 0, rate: 0 }],
        seasonality: { holidays: [{ date: '2026-04-03', factor: 0.8 }] },
      },
    });
    wideRuns.push(wide.id);
    await eventually(
      async () => ['completed', 'failed'].includes((await client.get(wide.id)).state),
      240_000,
      async () => JSON.stringify(await client.status(wide.id)),
    );
    const done = await client.get(wide.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('completed');
    expect(await kafka.partitionCount(`${wide.id}.transactions`)).toBe(35);
    const status = await client.status(wide.id);
    expect(status.produced.transactions).toBeGreaterThan(0);
    expect(status.produced.features).toBe(status.produced.transactions);
    expect(
      await stores.chNumber(
        `SELECT count() FROM transaction_features WHERE kafka_topic = '${wide.id}.features'`,
      ),
    ).toBe(status.produced.transactions);
    expect(await stores.pgNumber(`SELECT count(*) FROM customers WHERE run_id = '${wide.id}'`)).toBe(
      status.produced.customers,
    );
    const manifest = await client.drift(wide.id);
    expect(manifest.changes).toMatchObject([
      { seq: 0, kind: 'SCENARIO_RATE', subject: 'card_testing', fromValue: 1, toValue: 0 },
      { seq: 1, kind: 'HOLIDAY', subject: '2026-04-03', startTime: '2026-04-03T00:00:00.000Z', toValue: 0.8 },
    ]);
    expect(await stores.pgNumber(`SELECT count(*) FROM drift_changes WHERE run_id = '${wide.id}'`)).toBe(2);
    const published = await readTopic(kafka, `${wide.id}.drift`, (read) => read.length >= 2, 30_000);
    expect(published.map((record) => record.key)).toEqual([`${wide.id}/0`, `${wide.id}/1`]);
  }, 300_000);
});
