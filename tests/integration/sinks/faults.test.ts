/**
 * ClickHouse failing mid-insert on purpose, not by chance (tests/harness/fault-proxy.ts between the
 * sink and the server): an insert whose answer is lost after it landed, an insert cut off after its
 * head, on transactions and on labels. The raw tables end exact (each row once), and so do the
 * hourly aggregates and the by-merchant view. Then the one case a proxy cannot cause — a server
 * stopping between a table and its view, so the view lacks rows the table holds — is made by
 * deleting rows from the view, and the next sink start gives them back.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { type RunSummary, runGenerator } from '../../../producers/run.ts';
import { runTopics } from '../../../sinks/config.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { uniqueName } from '../../harness/config.ts';
import { type FaultProxy, faultProxy } from '../../harness/fault-proxy.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores, sinksInProcess } from '../../harness/sink-stores.ts';

const { config: base, logger, kafka, codec } = testServices();
const name = uniqueName('faults');
const generator = parseGeneratorConfig({
  runId: name,
  seed: 47,
  customers: 1_500,
  merchants: 200,
  days: 3,
  fraud: { rate: 0.03, groundTruth: promptLabels(12) },
  topics: prefixedTopics(name, 3),
});
const INSERT_INTO = (table: string) => new RegExp(`INSERT(?:\\+|%20)INTO(?:\\+|%20)${table}(?:\\+|%20)`);
let stores: SinkStores;
let summary: RunSummary;
let proxy: FaultProxy;

/** Runs the ClickHouse sink through the proxy until `done`, then stops it. */
async function sinkUntil(done: () => Promise<boolean>, describe: () => Promise<string>): Promise<void> {
  const stop = new AbortController();
  const running = sinksInProcess(
    {
      sinks: ['clickhouse'],
      groupPrefix: name,
      topics: runTopics(name),
      clickhouse: { kinds: ['customers', 'merchants', 'transactions', 'labels'] },
      batch: { maxRows: 1_000, maxWaitMs: 200 },
      retry: { minMs: 50, maxMs: 500 },
    },
    {
      config: { ...stores.config, clickhouse: { ...stores.config.clickhouse, url: `http://${proxy.url}` } },
      kafka,
      codec,
      logger,
      signal: stop.signal,
    },
  );
  running.catch(() => undefined);
  try {
    await eventually(done, 120_000, describe);
  } finally {
    stop.abort();
    await running.catch(() => undefined);
  }
}

const landedAll = async () =>
  (await stores.chNumber('SELECT count() FROM transactions')) === summary.produced.transaction &&
  (await stores.chNumber('SELECT count() FROM fraud_labels')) === summary.produced.label &&
  (await stores.chNumber('SELECT count() FROM customers')) === summary.produced.customer;

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  summary = await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal });
  const target = new URL(stores.config.clickhouse.url);
  proxy = await faultProxy({ host: target.hostname, port: Number(target.port) });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await stores?.drop();
  await kafka.close();
});

describe('clickhouse failing mid-insert', () => {
  it('a write that landed but looked failed, and one cut off: raw tables, aggregates and views exact', async () => {
    expect(summary.produced.transaction).toBeGreaterThan(5_000);
    expect(summary.produced.label).toBeGreaterThan(50);
    proxy.arm('lose-response', INSERT_INTO('transactions'));
    proxy.arm('cut-request', INSERT_INTO('transactions'));
    proxy.arm('lose-response', INSERT_INTO('transactions'));
    proxy.arm('cut-request', INSERT_INTO('fraud_labels'));
    proxy.arm('lose-response', INSERT_INTO('fraud_labels'));
    await sinkUntil(
      landedAll,
      async () =>
        `${await stores.chNumber('SELECT count() FROM transactions')} of ${summary.produced.transaction} transactions, ${proxy.armed} faults armed`,
    );
    expect(proxy.armed).toBe(0);
    expect([...proxy.fired].sort()).toEqual([
      'cut-request',
      'cut-request',
      'lose-response',
      'lose-response',
      'lose-response',
    ]);

    const purchases = summary.produced.transaction;
    // Exact without FINAL: every row once.
    expect(await stores.chNumber('SELECT count() FROM transactions')).toBe(purchases);
    expect(await stores.chNumber('SELECT count() FROM fraud_labels')).toBe(summary.produced.label);
    expect(await stores.chNumber('SELECT uniqExact(transaction_id) FROM transactions')).toBe(purchases);
    expect(await stores.chNumber('SELECT uniqExact(label_id) FROM fraud_labels')).toBe(
      summary.produced.label,
    );
    expect(await stores.chNumber('SELECT countMerge(transactions) FROM transactions_hourly')).toBe(purchases);
    expect(await stores.chNumber('SELECT sum(transactions) FROM fraud_rate_hourly')).toBe(purchases);
    expect(await stores.chNumber('SELECT sumMerge(amount_minor) FROM transactions_hourly')).toBe(
      await stores.chNumber('SELECT sum(amount_minor) FROM transactions'),
    );
    expect(await stores.chNumber('SELECT count() FROM transactions_by_merchant FINAL')).toBe(purchases);
  }, 180_000);

  it('a view that lost rows its table holds gets them back when the sink next reads its positions', async () => {
    const purchases = summary.produced.transaction;
    const [inner] = await (
      await stores.clickhouse.query({
        query: "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE '.inner%'",
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    expect(inner?.name).toBeDefined();
    await stores.clickhouse.command({
      query: `ALTER TABLE \`${inner?.name}\` DELETE WHERE cityHash64(transaction_id) % 4 = 0`,
    });
    const inView = () => stores.chNumber('SELECT count() FROM transactions_by_merchant FINAL');
    await eventually(
      async () => (await inView()) < purchases,
      30_000,
      () => 'rows deleted from the view',
    );
    const lost = purchases - (await inView());
    expect(lost).toBeGreaterThan(purchases / 10);

    await sinkUntil(
      async () => (await inView()) === purchases,
      async () => `${await inView()} of ${purchases} in the view`,
    );
    expect(await stores.chNumber('SELECT count() FROM transactions')).toBe(purchases);
    expect(await stores.chNumber('SELECT uniqExact(transaction_id) FROM transactions_by_merchant')).toBe(
      purchases,
    );
  }, 180_000);
});
