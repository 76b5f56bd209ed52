/**
 * End to end on the real stack: a seeded backfill of 100k+ transactions lands in ClickHouse and
 * Postgres with counts equal to what was produced and no id twice (queried with FINAL, the
 * documented pattern, and also without it: the sinks write each row once). Poison on the way — bytes
 * that are not Avro, a transaction ClickHouse refuses, a customer Postgres refuses — ends in the
 * dead-letter tables with the reason while everything around it lands.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../core/metrics.ts';
import { loadSchema } from '../../../producers/avro.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { type RunSummary, runGenerator } from '../../../producers/run.ts';
import { backfillEvents } from '../../../producers/stream.ts';
import { parseSinkConfig, runTopics } from '../../../sinks/config.ts';
import { sinkMetrics } from '../../../sinks/metrics.ts';
import { runSinks } from '../../../sinks/run.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { uniqueName } from '../../harness/config.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores } from '../../harness/sink-stores.ts';

const { config: base, logger, kafka, codec } = testServices();
const name = uniqueName('land');
const generator = parseGeneratorConfig({
  runId: name,
  seed: 5,
  customers: 2000,
  merchants: 400,
  days: 21,
  fraud: { rate: 0.02, groundTruth: promptLabels(24) },
  topics: prefixedTopics(name, 3),
});
const topics = generator.topics;
const settings = parseSinkConfig({
  groupPrefix: name,
  topics: runTopics(name),
  clickhouse: { kinds: ['customers', 'merchants', 'transactions', 'labels'] },
  batch: { maxRows: 20_000, maxWaitMs: 500 },
});
const events = [...backfillEvents(generator)].flat();
const sample = {
  transaction: events.find((e) => e.kind === 'transaction')?.value as unknown as Record<string, unknown>,
  customer: events.find((e) => e.kind === 'customer')?.value as unknown as Record<string, unknown>,
};
const metricsRegistry = createMetricsRegistry({ defaultMetrics: false });
const stop = new AbortController();
let stores: SinkStores;
let summary: RunSummary;
let running: Promise<void> = Promise.resolve();

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  summary = await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal });
  // Poison between good records. ClickHouse keeps event times unsigned, Postgres text has no NUL.
  const transactionId = await codec.register(`${topics.transactions}-value`, loadSchema('transaction'));
  const customerId = await codec.register(`${topics.customers}-value`, loadSchema('customer'));
  const producer = kafka.producer();
  await producer.send(
    [
      { key: 'poison-bytes', value: Buffer.from('this is not avro'), partition: 0 },
      {
        key: 'poison-time',
        value: await codec.encode(transactionId, {
          ...sample.transaction,
          transactionId: 'poison-negative-time',
          eventTime: -1000,
        }),
        partition: 1,
      },
    ].map((message) => ({ topic: topics.transactions, ...message })),
  );
  await producer.send(
    [
      {
        key: 'poison-nul',
        value: await codec.encode(customerId, {
          ...sample.customer,
          customerId: 'poison-nul',
          lastName: 'Nul\u0000Byte',
        }),
        partition: 2,
      },
    ].map((message) => ({ topic: topics.customers, ...message })),
  );
  await producer.close();
  running = runSinks(settings, {
    config: stores.config,
    kafka,
    codec,
    logger,
    metrics: sinkMetrics(metricsRegistry),
    signal: stop.signal,
  });
  running.catch(() => undefined);
}, 300_000);

afterAll(async () => {
  stop.abort();
  await running.catch(() => undefined);
  await stores?.drop();
  await kafka.deleteTopics(Object.values(topics).filter((t): t is string => typeof t === 'string'));
  await kafka.close();
});

describe('sinks, end to end', () => {
  it('lands every record once in ClickHouse and Postgres', async () => {
    const produced = summary.produced;
    expect(produced.transaction).toBeGreaterThanOrEqual(100_000);
    const { chNumber, pgNumber } = stores;
    // The customer Postgres refuses is fine for ClickHouse; the poisoned transactions are not.
    const expected = async () => ({
      ch: {
        customers: await chNumber('SELECT count() FROM customers FINAL'),
        merchants: await chNumber('SELECT count() FROM merchants FINAL'),
        transactions: await chNumber('SELECT count() FROM transactions FINAL'),
        labels: await chNumber('SELECT count() FROM fraud_labels FINAL'),
        deadLetters: await chNumber('SELECT count() FROM dead_letters'),
      },
      pg: {
        customers: await pgNumber('SELECT count(*) FROM customers'),
        merchants: await pgNumber('SELECT count(*) FROM merchants'),
        labels: await pgNumber('SELECT count(*) FROM fraud_labels'),
        deadLetters: await pgNumber('SELECT count(*) FROM dead_letters'),
      },
    });
    const want = {
      ch: {
        customers: produced.customer + 1,
        merchants: produced.merchant,
        transactions: produced.transaction,
        labels: produced.label,
        deadLetters: 2,
      },
      pg: {
        customers: produced.customer,
        merchants: produced.merchant,
        labels: produced.label,
        deadLetters: 1,
      },
    };
    let seen: unknown;
    await eventually(
      async () => {
        seen = await expected();
        return JSON.stringify(seen) === JSON.stringify(want);
      },
      240_000,
      () => `saw ${JSON.stringify(seen)}, want ${JSON.stringify(want)}`,
    );

    // No id twice: with the documented FINAL pattern, and physically (no FINAL) as well.
    expect(await chNumber('SELECT uniqExact(transaction_id) FROM transactions FINAL')).toBe(
      produced.transaction,
    );
    expect(await chNumber('SELECT count() FROM transactions')).toBe(produced.transaction);
    expect(await chNumber('SELECT count() - uniqExact(customer_id) FROM customers')).toBe(0);
    expect(await pgNumber('SELECT count(*) - count(DISTINCT label_id) FROM fraud_labels')).toBe(0);
    // The hourly aggregate counts each purchase once.
    expect(await chNumber('SELECT countMerge(transactions) FROM transactions_hourly')).toBe(
      produced.transaction,
    );
  }, 300_000);

  it('keeps every refused record in the dead-letter tables with its reason and provenance', async () => {
    const letters = await (
      await stores.clickhouse.query({
        query:
          'SELECT stage, error_class, error, source_offset, kafka_partition FROM dead_letters ORDER BY kafka_partition',
        format: 'JSONEachRow',
      })
    ).json<{ stage: string; error_class: string; error: string; kafka_partition: number }>();
    expect(letters.map((l) => [l.stage, l.error_class, l.kafka_partition])).toEqual([
      ['sink-clickhouse', 'MESSAGE_DECODE_FAILED', 0],
      ['sink-clickhouse', 'SINK_ROW_REJECTED', 1],
    ]);
    expect(letters[1]?.error).toMatch(/transactions\.event_time_ms \(UInt64\) cannot hold -1000/);
    const { rows } = await stores.postgres.query(
      'SELECT stage, error_class, error, kafka_topic, payload FROM dead_letters',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      stage: 'sink-postgres',
      error_class: 'SINK_ROW_REJECTED',
      kafka_topic: topics.customers,
    });
    expect(rows[0].error).toMatch(/customers\.last_name holds NUL \(0x00\)/);
    // The payload is the record as it was on the topic: decodable, and replayable as it is.
    expect(((await codec.decode(rows[0].payload)) as { customerId: string }).customerId).toBe('poison-nul');
  });

  it('records in Postgres how far each partition landed, equal to the end of each topic', async () => {
    for (const topic of [topics.customers, topics.merchants, topics.labels]) {
      const ends = await kafka.topicOffsets(topic);
      const { rows } = await stores.postgres.query<{ partition: number; next_offset: string }>(
        'SELECT partition, next_offset FROM sink_offsets WHERE topic = $1 ORDER BY partition',
        [topic],
      );
      const landed = new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
      for (const [partition, { high }] of ends) {
        if (high > 0) expect(landed.get(partition), `${topic}/${partition}`).toBe(high);
      }
    }
  });
});
