/**
 * The processors on the real stack: a seeded backfill goes through both stages; every purchase
 * comes out once with the features a batch recomputation gives, every label is joined, and poison
 * on the input lands in the dead-letter topic with its provenance while the records around it go on.
 */

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaClient } from '../../../core/kafka/client.ts';
import { createLogger } from '../../../core/logger.ts';
import { createMetricsRegistry } from '../../../core/metrics.ts';
import { createRegistryCodec } from '../../../core/registry/codec.ts';
import { outputCodec } from '../../../processors/avro.ts';
import { internalTopics, parseProcessorConfig, topicsFor } from '../../../processors/config.ts';
import { featuresSchema, labeledSchema } from '../../../processors/features/catalog.ts';
import { processorMetrics } from '../../../processors/metrics.ts';
import { runProcessors } from '../../../processors/run.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { runGenerator } from '../../../producers/run.ts';
import { backfillEvents } from '../../../producers/stream.ts';
import { batchFeatures, sameValue } from '../../fixtures/batch-features.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { testConfig, uniqueName } from '../../harness/config.ts';
import { readTopic } from '../../harness/kafka-read.ts';

const config = testConfig(inject('endpoints'));
const logger = createLogger(config.log);
const kafka = createKafkaClient(config.kafka, logger);
const codec = createRegistryCodec(config.schemaRegistry);
const name = uniqueName('proc');

const generator = parseGeneratorConfig({
  runId: name,
  seed: 11,
  customers: 200,
  merchants: 80,
  days: 12,
  fraud: { rate: 0.05, groundTruth: promptLabels(24) },
  topics: prefixedTopics(name, 3),
});
const settings = parseProcessorConfig({
  applicationId: name,
  labelDelayDays: 2,
  idleMs: 1000,
  topics: topicsFor(generator.topics, name),
});
const events = [...backfillEvents(generator)].flat();
const transactions = events.flatMap((e) => (e.kind === 'transaction' ? [e.value] : []));
const labels = events.flatMap((e) => (e.kind === 'label' ? [e.value] : []));
const customers = events.flatMap((e) => (e.kind === 'customer' ? [e.value] : []));
const features = outputCodec(0, featuresSchema());
const labeled = outputCodec(0, labeledSchema());
const stop = new AbortController();
let running: Promise<void>;

beforeAll(async () => {
  await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal });
  // Poison between good records: bytes that are not Avro, and Avro under a schema id nobody registered.
  const producer = kafka.producer();
  const unknownId = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), Buffer.from('body')]);
  await producer.send(
    [
      { key: 'poison-1', value: Buffer.from('this is not avro'), partition: 0 },
      { key: 'poison-2', value: unknownId, partition: 1 },
    ].map((message) => ({ topic: generator.topics.transactions, ...message })),
  );
  await producer.close();
  const registry = createMetricsRegistry({ defaultMetrics: false });
  running = runProcessors(settings, {
    kafka,
    codec,
    logger,
    metrics: processorMetrics(registry),
    signal: stop.signal,
  });
  running.catch(() => undefined);
}, 180_000);

afterAll(async () => {
  stop.abort();
  await running;
  await kafka.close();
});

describe('processors on Kafka', () => {
  it('emits every purchase once, with the features of a batch recomputation', async () => {
    const records = await readTopic(
      kafka,
      settings.topics.features,
      (r) => r.length >= transactions.length,
      150_000,
    );
    const rows = records.map((r) => features.decode(r.value as Buffer));
    const ids = rows.map((r) => r.transactionId as string);
    expect(new Set(ids).size).toBe(transactions.length);
    expect(ids.length).toBe(transactions.length);
    const expected = batchFeatures({ customers, transactions, labels, labelDelayDays: 2 });
    const mismatches: string[] = [];
    for (const row of rows) {
      for (const [field, value] of Object.entries(expected.get(row.transactionId as string) ?? {})) {
        if (!sameValue(row[field], value))
          mismatches.push(`${row.transactionId} ${field}: ${row[field]} vs ${value}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(rows.filter((r) => r.late)).toEqual([]);
    // Records sit on the partition of their customer's transactions: per-customer order holds.
    expect(records.every((r) => r.key === (features.decode(r.value as Buffer).customerId as string))).toBe(
      true,
    );
  }, 180_000);

  it('joins every label with its features', async () => {
    const records = await readTopic(
      kafka,
      settings.topics.labeled,
      (r) => r.length >= labels.length,
      120_000,
    );
    const rows = records.map((r) => labeled.decode(r.value as Buffer));
    expect(new Set(rows.map((r) => r.labelId)).size).toBe(labels.length);
    // Each row says what its label said, version and all.
    const byId = new Map(labels.map((label) => [label.labelId, label]));
    for (const row of rows) {
      const label = byId.get(row.labelId as string);
      expect(row, String(row.labelId)).toMatchObject({
        transactionId: label?.transactionId,
        isFraud: label?.isFraud,
        labelVersion: label?.labelVersion,
        labelStatus: label?.labelStatus,
        labelAgeMs: (label?.reportedAt ?? 0) - (label?.transactionTime ?? 0),
      });
      expect(typeof row.customerTxCount30d).toBe('number');
    }
    expect(rows.some((r) => r.isFraud === false)).toBe(true);
  }, 150_000);

  it('sends poison to the dead-letter topic with where it came from', async () => {
    const dlq = internalTopics(settings).deadLetters;
    const records = await readTopic(kafka, dlq, (r) => r.length >= 2, 60_000);
    expect(records.map((r) => r.key).sort()).toEqual(['poison-1', 'poison-2']);
    for (const record of records) {
      expect(record.headers['synfin.source.topic']).toBe(generator.topics.transactions);
      expect(record.headers['synfin.error']).toMatch(/.+/);
      expect(record.headers['synfin.error.class']).toBe('MESSAGE_DECODE_FAILED');
      expect(Number(record.headers['synfin.source.offset'])).toBeGreaterThanOrEqual(0);
    }
    expect(records.find((r) => r.key === 'poison-1')?.value?.toString()).toBe('this is not avro');
  }, 90_000);
});
