/**
 * The smoke suite: every real service answers, and the basic path of each works — an Avro record
 * through Kafka and the registry in Confluent wire format, rows in and out of ClickHouse and Postgres.
 */
import { createClient } from '@clickhouse/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaClient, type KafkaClient } from '../../core/kafka/client.ts';
import { createLogger } from '../../core/logger.ts';
import { createMetricsRegistry, kafkaClientMetrics } from '../../core/metrics.ts';
import { type AvroSchema, createRegistryCodec } from '../../core/registry/codec.ts';
import { probeServices } from '../../core/service-info.ts';
import { testConfig, uniqueName } from '../harness/config.ts';
import { readTopic } from '../harness/kafka-read.ts';

const endpoints = inject('endpoints');
const config = testConfig(endpoints);
const logger = createLogger(config.log);

describe('services the run talks to', () => {
  it('every service answers (kafka, the registry, each sink), and their versions are on record', async () => {
    const reports = await probeServices(config);
    for (const report of reports) {
      const known = endpoints.versions[report.name];
      console.log(
        `[smoke] ${report.name}: ${report.ok ? report.version : `FAILED ${report.error}`}${known ? ` (${known})` : ''} at ${report.endpoint} via ${endpoints.source}`,
      );
    }
    expect(reports.filter((report) => !report.ok)).toEqual([]);
  });
});

describe('Kafka and the schema registry', () => {
  let kafka: KafkaClient;
  const topic = uniqueName('smoke.avro');
  const metrics = createMetricsRegistry({ defaultMetrics: false });
  const schema: AvroSchema = {
    type: 'record',
    name: 'SmokeEvent',
    namespace: 'dev.synfinance.test',
    fields: [
      { name: 'id', type: 'string', doc: 'event id' },
      { name: 'amountMinor', type: 'long', doc: 'amount in minor units' },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'event time' },
    ],
  };

  beforeAll(async () => {
    kafka = createKafkaClient(config.kafka, logger, { metrics: kafkaClientMetrics(metrics) });
    expect(await kafka.ensureTopics([{ topic, partitions: 2 }])).toEqual([topic]);
  });

  afterAll(async () => {
    await kafka.deleteTopics([topic]);
    await kafka.close();
  });

  it('creating a topic twice is a no-op the second time', async () => {
    expect(await kafka.ensureTopics([{ topic, partitions: 2 }])).toEqual([]);
    expect(await kafka.listTopics()).toContain(topic);
  });

  it('produces and consumes an Avro record in Confluent wire format', async () => {
    const codec = createRegistryCodec(config.schemaRegistry);
    const schemaId = await codec.register(`${topic}-value`, schema);
    // timestamp-millis travels as epoch milliseconds: no Date per event on the hot path.
    const event = { id: 'evt-1', amountMinor: 12_345, at: Date.parse('2026-01-02T03:04:05.678Z') };
    const value = await codec.encode(schemaId, event);

    const producer = kafka.producer();
    await producer.send([{ topic, key: event.id, value }]);
    await producer.close();

    const [record] = await readTopic(kafka, topic, (records) => records.length >= 1);
    const received = record?.value ?? Buffer.alloc(0);

    expect(received[0]).toBe(0);
    expect(received.readUInt32BE(1)).toBe(schemaId);
    expect(codec.schemaIdOf(received)).toBe(schemaId);
    expect(await codec.decode(received)).toEqual(event);

    const produced = await metrics.getSingleMetric('synfin_kafka_messages_produced_total')?.get();
    expect(produced?.values.find((sample) => sample.labels.topic === topic)?.value).toBe(1);
    const bytes = await metrics.getSingleMetric('synfin_kafka_produced_bytes_total')?.get();
    expect(bytes?.values.find((sample) => sample.labels.topic === topic)?.value).toBe(value.length);
  });

  it('registers a compatible change and refuses an incompatible one', async () => {
    const codec = createRegistryCodec(config.schemaRegistry);
    const subject = `${uniqueName('smoke.compat')}-value`;
    const first = await codec.register(subject, schema);
    const compatible: AvroSchema = {
      ...schema,
      fields: [
        ...(schema.fields as object[]),
        { name: 'note', type: ['null', 'string'], default: null, doc: 'optional' },
      ],
    };
    const second = await codec.register(subject, compatible);
    expect(second).not.toBe(first);
    const incompatible: AvroSchema = {
      ...schema,
      fields: [...(schema.fields as object[]), { name: 'required', type: 'string', doc: 'no default' }],
    };
    await expect(codec.register(subject, incompatible)).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
    });
  });
});

describe('ClickHouse', () => {
  const database = uniqueName('smoke');
  const client = createClient({
    url: config.clickhouse.url,
    username: config.clickhouse.username,
    password: config.clickhouse.password,
  });

  afterAll(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.close();
  });

  it('creates a table, inserts rows and reads them back', async () => {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    // MergeTree with ORDER BY/PARTITION BY clauses: the syntax 18.16 and current releases share.
    await client.command({
      query: `CREATE TABLE ${database}.events (id String, amount_minor Int64, at_ms UInt64, at DateTime)
              ENGINE = MergeTree() PARTITION BY toYYYYMM(at) ORDER BY (id, at_ms)`,
    });
    const rows = [
      { id: 'a', amount_minor: 100, at_ms: 1_767_225_600_000, at: '2026-01-01 00:00:00' },
      { id: 'b', amount_minor: -250, at_ms: 1_767_225_601_000, at: '2026-01-01 00:00:01' },
    ];
    await client.insert({ table: `${database}.events`, values: rows, format: 'JSONEachRow' });
    const result = await client.query({
      query: `SELECT id, amount_minor, toString(at_ms) AS at_ms, toString(at) AS at FROM ${database}.events ORDER BY id`,
      format: 'JSONEachRow',
    });
    const read = await result.json<{
      id: string;
      amount_minor: string | number;
      at_ms: string;
      at: string;
    }>();
    expect(read.map((row) => [row.id, Number(row.amount_minor), row.at_ms, row.at])).toEqual([
      ['a', 100, '1767225600000', '2026-01-01 00:00:00'],
      ['b', -250, '1767225601000', '2026-01-01 00:00:01'],
    ]);
  });
});

describe('Postgres', () => {
  const schemaName = uniqueName('smoke');
  const client = new pg.Client({ connectionString: config.postgres.url });

  beforeAll(() => client.connect());
  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
    await client.end();
  });

  it('creates a table, inserts rows and reads them back', async () => {
    await client.query(`CREATE SCHEMA ${schemaName}`);
    await client.query(
      `CREATE TABLE ${schemaName}.events (id text PRIMARY KEY, amount_minor bigint NOT NULL, at timestamptz NOT NULL)`,
    );
    await client.query(
      `INSERT INTO ${schemaName}.events (id, amount_minor, at) VALUES ($1, $2, $3), ($4, $5, $6)
       ON CONFLICT (id) DO NOTHING`,
      ['a', 100, '2026-01-01T00:00:00Z', 'b', -250, '2026-01-01T00:00:01Z'],
    );
    const { rows } = await client.query<{ id: string; amount_minor: string; at: Date }>(
      `SELECT id, amount_minor, at FROM ${schemaName}.events ORDER BY id`,
    );
    expect(rows.map((row) => [row.id, row.amount_minor, row.at.toISOString()])).toEqual([
      ['a', '100', '2026-01-01T00:00:00.000Z'],
      ['b', '-250', '2026-01-01T00:00:01.000Z'],
    ]);
  });
});
