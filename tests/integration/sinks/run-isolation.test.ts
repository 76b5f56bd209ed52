/**
 * Two runs of the same size with different seeds, landed in the same databases: their worlds use
 * the same ids (C0000000 …, M000000 …), and afterwards the first run's customers and merchants are
 * all still there in ClickHouse and in Postgres, each with the attributes it published — read back
 * from its own topics — and `synfin validate` finds each run's transactions joined to their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRun } from '../../../control-plane/cli/validate.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { type RunSummary, runGenerator } from '../../../producers/run.ts';
import { runTopics } from '../../../sinks/config.ts';
import { uniqueName } from '../../harness/config.ts';
import { readTopic } from '../../harness/kafka-read.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores, sinksInProcess } from '../../harness/sink-stores.ts';

const { config: base, logger, kafka, codec } = testServices();
const name = uniqueName('isolation');
const RUNS = [
  { runId: `${name}-a`, seed: 101 },
  { runId: `${name}-b`, seed: 202 },
];
const stop = new AbortController();
let stores: SinkStores;
const summaries = new Map<string, RunSummary>();
let running: Promise<unknown> = Promise.resolve();

interface Published {
  customers: Map<string, Record<string, unknown>>;
  merchants: Map<string, Record<string, unknown>>;
}
const published = new Map<string, Published>();

async function publishedBy(runId: string, kind: 'customers' | 'merchants', count: number) {
  const records = await readTopic(kafka, `${runId}.${kind}`, (read) => read.length >= count);
  const byId = new Map<string, Record<string, unknown>>();
  for (const record of records) {
    const value = (await codec.decode(record.value as Buffer)) as Record<string, unknown>;
    byId.set(String(value.customerId ?? value.merchantId), value);
  }
  return byId;
}

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  for (const { runId, seed } of RUNS) {
    const generator = parseGeneratorConfig({
      runId,
      seed,
      customers: 150,
      merchants: 40,
      days: 2,
      topics: prefixedTopics(runId, 2),
    });
    summaries.set(
      runId,
      await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal }),
    );
  }
  // One sink process per run, as the control plane starts them, into the same databases.
  running = Promise.all(
    RUNS.map(({ runId }) =>
      sinksInProcess(
        {
          groupPrefix: runId,
          topics: runTopics(runId),
          clickhouse: { kinds: ['customers', 'merchants', 'transactions', 'labels'] },
          batch: { maxWaitMs: 300 },
        },
        { config: stores.config, kafka, codec, logger, signal: stop.signal },
      ),
    ),
  );
  running.catch(() => undefined);
  for (const { runId } of RUNS) {
    const summary = summaries.get(runId) as RunSummary;
    published.set(runId, {
      customers: await publishedBy(runId, 'customers', summary.produced.customer),
      merchants: await publishedBy(runId, 'merchants', summary.produced.merchant),
    });
  }
}, 180_000);

afterAll(async () => {
  stop.abort();
  await running.catch(() => undefined);
  await stores?.drop();
  await kafka.close();
});

describe('runs in the same databases', () => {
  it("keep each run's customers and merchants, with the attributes each published", async () => {
    const [first, second] = RUNS.map(({ runId }) => published.get(runId) as Published);
    // The runs really collide: the same ids, other people.
    expect([...(first?.customers.keys() ?? [])].sort()).toEqual([...(second?.customers.keys() ?? [])].sort());
    expect(first?.customers.get('C0000000')?.lastName).not.toBe(second?.customers.get('C0000000')?.lastName);

    const total = (kind: 'customer' | 'merchant' | 'transaction') =>
      RUNS.reduce((sum, { runId }) => sum + (summaries.get(runId)?.produced[kind] ?? 0), 0);
    await eventually(
      async () =>
        (await stores.chNumber('SELECT count() FROM customers FINAL')) === total('customer') &&
        (await stores.pgNumber('SELECT count(*) FROM customers')) === total('customer') &&
        (await stores.chNumber('SELECT count() FROM merchants FINAL')) === total('merchant') &&
        (await stores.pgNumber('SELECT count(*) FROM merchants')) === total('merchant') &&
        (await stores.chNumber('SELECT count() FROM transactions')) === total('transaction'),
      120_000,
      async () =>
        `customers ch ${await stores.chNumber('SELECT count() FROM customers FINAL')} pg ${await stores.pgNumber(
          'SELECT count(*) FROM customers',
        )} of ${total('customer')}`,
    );
    // ClickHouse merges parts in the background; what survives a merge is what FINAL shows.
    await stores.clickhouse.command({ query: 'OPTIMIZE TABLE customers FINAL' });
    await stores.clickhouse.command({ query: 'OPTIMIZE TABLE merchants FINAL' });

    for (const { runId } of RUNS) {
      const own = published.get(runId) as Published;
      const chCustomers = await (
        await stores.clickhouse.query({
          query: `SELECT customer_id, account_id, first_name, last_name, city, home_latitude, credit_limit_minor
            FROM customers FINAL WHERE run_id = '${runId}'`,
          format: 'JSONEachRow',
        })
      ).json<Record<string, string | number>>();
      const pgCustomers = (
        await stores.postgres.query(
          `SELECT customer_id, account_id, first_name, last_name, city, home_latitude, credit_limit_minor
            FROM customers WHERE run_id = $1`,
          [runId],
        )
      ).rows as Record<string, string | number>[];
      for (const [database, landed] of [
        ['clickhouse', chCustomers],
        ['postgres', pgCustomers],
      ] as const) {
        expect(landed.length, `${database} ${runId}`).toBe(own.customers.size);
        for (const row of landed) {
          const sent = own.customers.get(String(row.customer_id));
          expect(
            {
              account: row.account_id,
              first: row.first_name,
              last: row.last_name,
              city: row.city,
              latitude: Number(row.home_latitude),
              limit: Number(row.credit_limit_minor),
            },
            `${database} ${runId} ${row.customer_id}`,
          ).toEqual({
            account: sent?.accountId,
            first: sent?.firstName,
            last: sent?.lastName,
            city: sent?.city,
            latitude: sent?.homeLatitude,
            limit: Number(sent?.creditLimitMinor),
          });
        }
      }
      const merchants = (
        await stores.postgres.query(
          'SELECT merchant_id, name, mcc, latitude FROM merchants WHERE run_id = $1',
          [runId],
        )
      ).rows as Record<string, string | number>[];
      expect(merchants.length).toBe(own.merchants.size);
      for (const row of merchants) {
        const sent = own.merchants.get(String(row.merchant_id));
        expect([row.name, row.mcc, Number(row.latitude)]).toEqual([sent?.name, sent?.mcc, sent?.latitude]);
      }
      expect(
        await stores.chNumber(
          `SELECT count() FROM (SELECT merchant_id, name, mcc FROM merchants FINAL WHERE run_id = '${runId}')`,
        ),
      ).toBe(own.merchants.size);

      // synfin validate: each run's transactions join to that run's own customers and merchants.
      const report = await validateRun(stores.config.clickhouse, runId);
      const failed = report.checks.filter((check) => !check.ok);
      expect(failed).toEqual([]);
      expect(report.checks.map((check) => check.name)).toEqual(
        expect.arrayContaining([
          "every transaction's customer_id is one of this run's customers",
          "customers match what this run's transactions say of them (account_id)",
          "merchants match what this run's transactions say of them (name, mcc, city)",
        ]),
      );
    }
  }, 180_000);
});
