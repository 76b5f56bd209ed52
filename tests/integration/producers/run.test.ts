/**
 * A generation run against the real Kafka and schema registry: a plain consumer reads every topic
 * and decodes each message through the registry.
 */

import { afterAll, describe, expect, inject, it } from 'vitest';
import { SynfinError } from '../../../core/errors.ts';
import { createKafkaClient } from '../../../core/kafka/client.ts';
import { createLogger } from '../../../core/logger.ts';
import { type AvroSchema, createRegistryCodec } from '../../../core/registry/codec.ts';
import { parseGeneratorConfig, prefixedTopics, startMsOf } from '../../../producers/config.ts';
import { driftManifest } from '../../../producers/drift/manifest.ts';
import { runGenerator, topicsOf } from '../../../producers/run.ts';
import { generateAll, promptLabels } from '../../fixtures/generated.ts';
import { testConfig, uniqueName } from '../../harness/config.ts';
import { readTopic } from '../../harness/kafka-read.ts';

const config = testConfig(inject('endpoints'));
const logger = createLogger(config.log);
const kafka = createKafkaClient(config.kafka, logger);
const codec = createRegistryCodec(config.schemaRegistry);

function runConfig(prefix: string, overrides: Record<string, unknown> = {}) {
  const name = uniqueName(prefix);
  return parseGeneratorConfig({
    runId: name,
    seed: 5,
    customers: 150,
    merchants: 120,
    days: 3,
    fraud: { rate: 0.05, groundTruth: promptLabels(6) },
    topics: prefixedTopics(name, 3),
    ...overrides,
  });
}

async function consumeAll(topic: string, expected: number): Promise<{ key: string; value: Buffer }[]> {
  const records = await readTopic(kafka, topic, (read) => read.length >= expected, 60_000);
  return records.map((record) => ({ key: record.key ?? '', value: record.value ?? Buffer.alloc(0) }));
}

describe('producer run on the real stack', () => {
  const created: string[] = [];
  afterAll(async () => {
    await kafka.deleteTopics(created);
    await kafka.close();
  });

  it('produces every event as Avro a plain consumer decodes through the registry', async () => {
    const run = runConfig('produce');
    const topics = topicsOf(run);
    created.push(...Object.values(topics));
    const summary = await runGenerator(run, { kafka, codec, logger });
    expect(summary.stopped).toBe(false);
    expect(summary.produced.customer).toBe(150);
    expect(summary.produced.transaction).toBeGreaterThan(500);
    // The labels the same config generates in process: produced exactly, none lost.
    const labels = generateAll(run).filter((event) => event.kind === 'label').length;
    expect(labels).toBeGreaterThan(0);
    expect(summary.produced.label).toBe(labels);

    const decoded: Record<string, Record<string, unknown>[]> = {};
    for (const [kind, topic] of Object.entries(topics)) {
      const messages = await consumeAll(topic, summary.produced[kind as keyof typeof summary.produced]);
      expect(messages).toHaveLength(summary.produced[kind as keyof typeof summary.produced]);
      decoded[kind] = [];
      for (const message of messages) {
        expect(message.value[0]).toBe(0);
        const value = (await codec.decode(message.value)) as Record<string, unknown>;
        decoded[kind]?.push(value);
        if (kind === 'transaction' || kind === 'label') expect(message.key).toBe(value.customerId);
      }
    }
    const customers = new Set(decoded.customer?.map((c) => c.customerId));
    const merchants = new Set(decoded.merchant?.map((m) => m.merchantId));
    for (const tx of decoded.transaction ?? []) {
      expect(customers.has(tx.customerId)).toBe(true);
      expect(merchants.has(tx.merchantId)).toBe(true);
    }
    const transactionIds = new Set(decoded.transaction?.map((t) => t.transactionId));
    for (const label of decoded.label ?? []) expect(transactionIds.has(label.transactionId)).toBe(true);
  });

  it('refuses an incompatible schema before producing anything', async () => {
    const run = runConfig('incompatible');
    const topics = topicsOf(run);
    // Someone registered a different Transaction under the subject first: ours adds required fields.
    const other: AvroSchema = {
      type: 'record',
      name: 'Transaction',
      namespace: 'dev.synfinance.events',
      fields: [{ name: 'transactionId', type: 'string', doc: 'id' }],
    };
    await codec.register(`${topics.transaction}-value`, other);
    const error = await runGenerator(run, { kafka, codec, logger }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SynfinError);
    expect((error as SynfinError).code).toBe('SCHEMA_INCOMPATIBLE');
    expect(await kafka.listTopics()).not.toContain(topics.transaction);
  });

  it('stops cleanly on request, with everything it counted acknowledged', async () => {
    const run = runConfig('stop', { mode: 'realtime', ratePerSecond: 2000 });
    created.push(...Object.values(topicsOf(run)));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2_000);
    const summary = await runGenerator(run, { kafka, codec, logger, signal: controller.signal });
    expect(summary.stopped).toBe(true);
    const seconds = (summary.endedAt - summary.startedAt) / 1000;
    expect(summary.produced.transaction).toBeGreaterThan(1000);
    // Paced: no faster than the target rate (plus the entities sent up front).
    expect(summary.produced.transaction / seconds).toBeLessThan(2000 * 1.2);
    const messages = await consumeAll(topicsOf(run).transaction, summary.produced.transaction);
    expect(messages).toHaveLength(summary.produced.transaction);
  });

  it('publishes the drift manifest on the run’s drift topic, and no drift topic without a schedule', async () => {
    const run = runConfig('drift', {
      drift: {
        scenarios: [
          { scenario: 'card_testing', day: 0, rate: 0 },
          { scenario: 'card_testing', day: 2, rate: 1 },
        ],
        seasonality: { holidays: [{ date: '2026-01-02', factor: 0.7 }] },
      },
    });
    created.push(...Object.values(topicsOf(run)), run.topics.drift);
    await runGenerator(run, { kafka, codec, logger });
    const expected = driftManifest(run, startMsOf(run));
    expect(expected).toHaveLength(3);
    const records = await consumeAll(run.topics.drift, expected.length);
    expect(records.map((record) => record.key)).toEqual(
      expected.map((change) => `${run.runId}/${change.seq}`),
    );
    const decoded = await Promise.all(records.map((record) => codec.decode(record.value)));
    expect(decoded).toEqual(expected);

    const plain = runConfig('nodrift');
    created.push(...Object.values(topicsOf(plain)));
    await runGenerator(plain, { kafka, codec, logger });
    expect(await kafka.listTopics()).not.toContain(plain.topics.drift);
  });
});
