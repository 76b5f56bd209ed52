/**
 * The whole pipeline into the databases: producers → processors → both sinks, on the real stack.
 * The feature store, the labelled rows, the training-set view and the hourly aggregates agree with
 * what was produced, the processors' dead letters land with their provenance, and every example
 * query of sinks/README.md runs and returns rows.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../core/metrics.ts';
import { projectRoot } from '../../../core/paths.ts';
import { parseProcessorConfig, topicsFor } from '../../../processors/config.ts';
import { processorMetrics } from '../../../processors/metrics.ts';
import { runProcessors } from '../../../processors/run.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { type RunSummary, runGenerator } from '../../../producers/run.ts';
import { trainingSetAsOfSql } from '../../../sinks/clickhouse/training-set.ts';
import { runTopics } from '../../../sinks/config.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { uniqueName } from '../../harness/config.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores, sinksInProcess } from '../../harness/sink-stores.ts';

const { config: base, logger, kafka, codec } = testServices();
const name = uniqueName('views');
const generator = parseGeneratorConfig({
  runId: name,
  seed: 17,
  customers: 200,
  merchants: 60,
  days: 12,
  // Many corrections, so that some straddle the point-in-time cut below.
  fraud: {
    rate: 0.05,
    groundTruth: { ...promptLabels(24), corrections: { ...promptLabels(24).corrections, rate: 0.2 } },
  },
  topics: prefixedTopics(name, 2),
});
const stop = new AbortController();
let stores: SinkStores;
let summary: RunSummary;
let running: Promise<unknown> = Promise.resolve();

/** The example queries of sinks/README.md, with the database each is for. */
function readmeQueries(): { database: 'clickhouse' | 'postgres'; sql: string }[] {
  const readme = readFileSync(path.join(projectRoot(), 'sinks', 'README.md'), 'utf8');
  const section = readme.split('<!-- queries:start -->')[1]?.split('<!-- queries:end -->')[0] ?? '';
  return [...section.matchAll(/```sql (clickhouse|postgres)\n([\s\S]*?)```/g)].map((match) => ({
    database: match[1] as 'clickhouse' | 'postgres',
    sql: (match[2] as string).trim(),
  }));
}

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  summary = await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal });
  const producer = kafka.producer();
  await producer.send(
    [{ key: 'poison', value: Buffer.from('not avro at all'), partition: 0 }].map((message) => ({
      topic: generator.topics.transactions,
      ...message,
    })),
  );
  await producer.close();
  const processors = runProcessors(
    parseProcessorConfig({
      applicationId: name,
      labelDelayDays: 2,
      idleMs: 1000,
      topics: topicsFor(generator.topics, name),
    }),
    {
      kafka,
      codec,
      logger,
      metrics: processorMetrics(createMetricsRegistry({ defaultMetrics: false })),
      signal: stop.signal,
    },
  );
  const sinks = sinksInProcess(
    { groupPrefix: name, topics: runTopics(name), batch: { maxWaitMs: 300 } },
    { config: stores.config, kafka, codec, logger, signal: stop.signal },
  );
  running = Promise.all([processors, sinks]);
  running.catch(() => undefined);
}, 180_000);

afterAll(async () => {
  stop.abort();
  await running.catch(() => undefined);
  await stores?.drop();
  await kafka.close();
});

describe('pipeline into the databases', () => {
  it('lands features, labelled rows, the training set and the hourly aggregates consistently', async () => {
    const { chNumber } = stores;
    const purchases = summary.produced.transaction;
    const labels = summary.produced.label;
    await eventually(
      async () =>
        (await chNumber('SELECT count() FROM transaction_features FINAL')) === purchases &&
        (await chNumber('SELECT count() FROM transactions_labeled FINAL')) === labels &&
        (await chNumber('SELECT count() FROM fraud_labels FINAL')) === labels &&
        (await chNumber('SELECT count() FROM dead_letters')) === 2,
      180_000,
      async () =>
        `features ${await chNumber('SELECT count() FROM transaction_features')} of ${purchases}, labeled ${await chNumber(
          'SELECT count() FROM transactions_labeled',
        )} of ${labels}, dead letters ${await chNumber('SELECT count() FROM dead_letters')}`,
    );
    // A purchase is fraud by its latest label version; corrections are a second label row.
    const latestFraud = `SELECT sum(fraud) FROM (SELECT argMax(is_fraud, label_version) AS fraud
      FROM fraud_labels FINAL GROUP BY transaction_id)`;
    const fraud = await chNumber(latestFraud);
    const labelled = await chNumber('SELECT uniqExact(transaction_id) FROM fraud_labels FINAL');
    expect(await chNumber('SELECT count() FROM fraud_labels FINAL WHERE label_version = 2')).toBeGreaterThan(
      10,
    );
    expect(labelled).toBeLessThan(labels);
    expect(await chNumber('SELECT count() FROM training_set')).toBe(purchases);
    expect(await chNumber('SELECT sum(label_known) FROM training_set')).toBe(labelled);
    expect(await chNumber('SELECT sum(is_fraud) FROM training_set')).toBe(fraud);
    expect(await chNumber('SELECT count() FROM training_set WHERE label_known AND label_age_ms <= 0')).toBe(
      0,
    );
    expect(await chNumber('SELECT count() FROM transactions_by_merchant FINAL')).toBe(purchases);
    expect(await chNumber('SELECT sum(transactions) FROM fraud_rate_hourly')).toBe(purchases);
    expect(await chNumber('SELECT sum(fraud) FROM fraud_rate_hourly')).toBe(fraud);
    // The same purchase, the same facts, in the transactions table and the feature store.
    expect(
      await chNumber(`SELECT count() FROM (SELECT transaction_id, amount_minor, event_time_ms FROM transactions FINAL)
        ANY INNER JOIN (SELECT transaction_id, amount_minor AS f_amount, event_time_ms AS f_time FROM transaction_features FINAL)
        USING transaction_id WHERE amount_minor = f_amount AND event_time_ms = f_time`),
    ).toBe(purchases);
  }, 240_000);

  it('cuts the training set as known at a moment: no row uses a label reported after it', async () => {
    const { chNumber } = stores;
    const rows = async <T>(query: string) =>
      (await (await stores.clickhouse.query({ query, format: 'JSONEachRow' })).json()) as T[];
    const labels = await rows<{
      transaction_id: string;
      label_version: number;
      is_fraud: number;
      reported_at_ms: string;
    }>('SELECT transaction_id, label_version, is_fraud, reported_at_ms FROM fraud_labels FINAL');
    const times = labels.map((l) => Number(l.reported_at_ms)).sort((a, b) => a - b);
    const asOfMs = times[Math.floor(times.length / 2)] as number;
    // Expected, computed here from the raw labels: the highest version reported by then.
    const expected = new Map<string, { version: number; fraud: number }>();
    for (const label of labels) {
      if (Number(label.reported_at_ms) > asOfMs) continue;
      const known = expected.get(label.transaction_id);
      if (!known || known.version < label.label_version)
        expected.set(label.transaction_id, { version: label.label_version, fraud: Number(label.is_fraud) });
    }
    const cut = await rows<{
      transaction_id: string;
      event_time_ms: string;
      label_known: number;
      label_version: number;
      is_fraud: number;
      reported_at_ms: string;
    }>(trainingSetAsOfSql({ asOfMs, runId: name }));
    const purchasesBy = await chNumber(
      `SELECT count() FROM transaction_features FINAL WHERE event_time_ms <= ${asOfMs}`,
    );
    expect(cut.length).toBe(purchasesBy);
    let straddling = 0;
    for (const row of cut) {
      expect(Number(row.event_time_ms)).toBeLessThanOrEqual(asOfMs);
      const known = expected.get(row.transaction_id);
      expect(Number(row.label_known), row.transaction_id).toBe(known ? 1 : 0);
      if (!known) continue;
      expect(Number(row.reported_at_ms)).toBeLessThanOrEqual(asOfMs);
      expect([row.label_version, Number(row.is_fraud)], row.transaction_id).toEqual([
        known.version,
        known.fraud,
      ]);
      const overturnedLater = labels.some(
        (l) => l.transaction_id === row.transaction_id && l.label_version > known.version,
      );
      if (overturnedLater) straddling++;
    }
    // Some labels were overturned after the cut and read there as they stood.
    expect(straddling).toBeGreaterThan(0);
  });

  it("lands the processors' dead letters with their provenance beside the sink's own", async () => {
    const letters = await (
      await stores.clickhouse.query({
        query: 'SELECT stage, error_class, source_topic, source_offset FROM dead_letters ORDER BY stage',
        format: 'JSONEachRow',
      })
    ).json<{ stage: string; error_class: string; source_topic: string; source_offset: string }>();
    expect(letters.map((l) => [l.stage, l.source_topic])).toEqual([
      ['processor', generator.topics.transactions],
      ['sink-clickhouse', generator.topics.transactions],
    ]);
    // One vocabulary: the processors name the error by the catalogue's code, as the sinks do.
    expect(letters.map((l) => l.error_class)).toEqual(['MESSAGE_DECODE_FAILED', 'MESSAGE_DECODE_FAILED']);
    expect(letters[0]?.source_offset).toBe(letters[1]?.source_offset);
  });

  it('runs every example query of the README and gets rows', async () => {
    const queries = readmeQueries();
    expect(queries.length).toBeGreaterThanOrEqual(10);
    for (const { database, sql } of queries) {
      const rows =
        database === 'clickhouse'
          ? await (await stores.clickhouse.query({ query: sql, format: 'JSONEachRow' })).json()
          : (await stores.postgres.query(sql)).rows;
      expect(rows.length, sql).toBeGreaterThan(0);
    }
  });
});
