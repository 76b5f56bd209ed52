/**
 * A database that goes away mid-stream: ClickHouse (and, separately, Postgres) of the test's own —
 * a native server or a container, like the harness's services — is stopped for 30 s while its sink is
 * landing, then started again. The sink waits, retries with backoff, resumes on its own (the same
 * running process throughout) and ends with exact counts and no duplicates.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../core/config/schema.ts';
import { createMetricsRegistry } from '../../../core/metrics.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { type RunSummary, runGenerator } from '../../../producers/run.ts';
import { parseSinkConfig, runTopics, type SinkName } from '../../../sinks/config.ts';
import { sinkMetrics } from '../../../sinks/metrics.ts';
import { runSinks } from '../../../sinks/run.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { uniqueName } from '../../harness/config.ts';
import { type OwnDatabase, ownDatabase } from '../../harness/own-database.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores } from '../../harness/sink-stores.ts';

const { endpoints, config: base, logger, kafka, codec } = testServices();
const name = uniqueName('outage');
const generator = parseGeneratorConfig({
  runId: name,
  seed: 41,
  customers: 12_000,
  merchants: 1_500,
  days: 2,
  fraud: { rate: 0.02, groundTruth: promptLabels(6) },
  topics: prefixedTopics(name, 3),
});
/** ClickHouse drains its connections for ~10 s on stop: its sink gets a realtime stream, 60 s long. */
const realtime = parseGeneratorConfig({
  runId: `${name}_rt`,
  seed: 43,
  mode: 'realtime',
  ratePerSecond: 1500,
  durationSeconds: 60,
  customers: 2_000,
  merchants: 300,
  fraud: { rate: 0.02 },
  topics: prefixedTopics(`${name}_rt`, 3),
});
const OUTAGE_MS = 30_000;

/** A ClickHouse and a Postgres of this test's own, so stopping them disturbs no other suite. */
const servers: Partial<Record<SinkName, OwnDatabase>> = {};

/** `base` pointed at this test's own server of `sink`'s database. */
function configWith(sink: SinkName, server: OwnDatabase): Config {
  return sink === 'clickhouse'
    ? {
        ...base,
        clickhouse: {
          ...base.clickhouse,
          url: server.url,
          username: server.username,
          password: server.password,
        },
      }
    : { ...base, postgres: { ...base.postgres, url: server.url } };
}
let summary: RunSummary;

beforeAll(async () => {
  servers.clickhouse = await ownDatabase('clickhouse', endpoints);
  servers.postgres = await ownDatabase('postgres', endpoints);
  summary = await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal });
}, 300_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.remove()));
  const topics = [...Object.values(generator.topics), ...Object.values(realtime.topics)];
  await kafka.deleteTopics(topics.filter((t): t is string => typeof t === 'string'));
  await kafka.close();
});

async function landThroughOutage(
  sink: SinkName,
  topicPrefix: string,
  landed: (stores: SinkStores) => Promise<number>,
  options: { total: Promise<number>; stopAt: number; batchRows: number },
): Promise<{ stores: SinkStores; retries: number }> {
  const server = servers[sink] as OwnDatabase;
  const stores = await createSinkStores(configWith(sink, server), uniqueName(`${name}_${sink}`));
  const registry = createMetricsRegistry({ defaultMetrics: false });
  const stop = new AbortController();
  let failed: unknown;
  const running = runSinks(
    parseSinkConfig({
      sinks: [sink],
      groupPrefix: `${name}-${sink}`,
      topics: runTopics(topicPrefix),
      clickhouse: { kinds: ['customers', 'merchants', 'transactions', 'labels'] },
      batch: { maxRows: options.batchRows, maxWaitMs: 200 },
      retry: { minMs: 100, maxMs: 3_000 },
    }),
    { config: stores.config, kafka, codec, logger, metrics: sinkMetrics(registry), signal: stop.signal },
  ).catch((error: unknown) => {
    failed = error;
  });
  try {
    await eventually(
      async () => (await landed(stores)) >= options.stopAt,
      120_000,
      () => `${sink}: first rows`,
    );
    const atStop = await landed(stores);
    await server.stop();
    await sleep(OUTAGE_MS);
    await server.start();
    const total = await options.total;
    await eventually(
      async () => (await landed(stores)) >= total,
      180_000,
      async () => `${await landed(stores)} of ${total}`,
    );
    await sleep(3000); // a duplicate would have time to land
    expect(failed).toBeUndefined();
    expect(atStop, 'the outage came after the sink had finished').toBeLessThan(total);
    const metric = await registry.getSingleMetric('synfin_sink_retries_total')?.get();
    const retries = metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
    return { stores, retries };
  } finally {
    stop.abort();
    await running;
  }
}

describe('database outage', () => {
  it('clickhouse stopped for 30 s mid-stream: the sink waits and resumes, counts exact', async () => {
    const run = runGenerator(realtime, { kafka, codec, logger, signal: new AbortController().signal });
    const { stores, retries } = await landThroughOutage(
      'clickhouse',
      `${name}_rt`,
      (s) => s.chNumber('SELECT count() FROM transactions'),
      { total: run.then((r) => r.produced.transaction), stopAt: 1_000, batchRows: 1_000 },
    );
    try {
      const produced = (await run).produced;
      expect(retries).toBeGreaterThan(0);
      expect(await stores.chNumber('SELECT count() FROM transactions')).toBe(produced.transaction);
      expect(await stores.chNumber('SELECT uniqExact(transaction_id) FROM transactions')).toBe(
        produced.transaction,
      );
      expect(await stores.chNumber('SELECT count() FROM customers')).toBe(produced.customer);
      expect(await stores.chNumber('SELECT countMerge(transactions) FROM transactions_hourly')).toBe(
        produced.transaction,
      );
    } finally {
      await stores.drop();
    }
  }, 420_000);

  it('postgres stopped for 30 s mid-stream: the sink waits and resumes, counts exact', async () => {
    const total = summary.produced.customer;
    const { stores, retries } = await landThroughOutage(
      'postgres',
      name,
      (s) => s.pgNumber('SELECT count(*) FROM customers'),
      { total: Promise.resolve(total), stopAt: total * 0.2, batchRows: 200 },
    );
    try {
      expect(retries).toBeGreaterThan(0);
      expect(await stores.pgNumber('SELECT count(*) FROM customers')).toBe(total);
      expect(await stores.pgNumber('SELECT count(*) FROM merchants')).toBe(summary.produced.merchant);
      await eventually(
        async () => (await stores.pgNumber('SELECT count(*) FROM fraud_labels')) === summary.produced.label,
        60_000,
      );
    } finally {
      await stores.drop();
    }
  }, 420_000);
});
