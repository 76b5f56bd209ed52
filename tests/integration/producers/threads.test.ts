/**
 * `--workers 2`: one run as two shards on worker threads of one process, against the real Kafka and
 * registry. What lands equals what one thread produces for the same settings — every customer,
 * merchant, transaction and label, byte for byte once decoded — and the summary adds up.
 */

import { afterAll, describe, expect, inject, it } from 'vitest';
import { createKafkaClient } from '../../../core/kafka/client.ts';
import { createLogger } from '../../../core/logger.ts';
import { createRegistryCodec } from '../../../core/registry/codec.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { type RunSummary, runGenerator, topicsOf } from '../../../producers/run.ts';
import { runGeneratorThreads } from '../../../producers/threads.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { testConfig, uniqueName } from '../../harness/config.ts';
import { readTopic } from '../../harness/kafka-read.ts';

const config = testConfig(inject('endpoints'));
const logger = createLogger(config.log);
const kafka = createKafkaClient(config.kafka, logger);
const codec = createRegistryCodec(config.schemaRegistry);
const name = uniqueName('workers');
const created: string[] = [];

/** The same run (same id and seed) onto its own topics. */
function run(topicPrefix: string, workers: number) {
  const generator = parseGeneratorConfig({
    runId: name,
    seed: 9,
    customers: 240,
    merchants: 50,
    days: 2,
    workers,
    fraud: { rate: 0.05, groundTruth: promptLabels(6) },
    topics: prefixedTopics(topicPrefix, 3),
  });
  created.push(...Object.values(topicsOf(generator)));
  return generator;
}

async function decodedSorted(topic: string, count: number): Promise<string[]> {
  const records = await readTopic(kafka, topic, (read) => read.length >= count, 60_000);
  const values = await Promise.all(
    records.map(async (record) => JSON.stringify(await codec.decode(record.value as Buffer))),
  );
  return values.sort();
}

afterAll(async () => {
  await kafka.deleteTopics(created).catch(() => undefined);
  await kafka.close();
});

describe('producer workers on the real stack', () => {
  it('produce in two threads exactly what one thread produces', async () => {
    const single = run(`${name}-one`, 1);
    const threaded = run(`${name}-two`, 2);
    const one: RunSummary = await runGenerator(single, { kafka, codec, logger });
    const two = await runGeneratorThreads(threaded, { config, logger, signal: new AbortController().signal });
    expect(two.produced).toEqual(one.produced);
    expect(two.fraudTransactions).toBe(one.fraudTransactions);
    expect(one.produced.transaction).toBeGreaterThan(500);
    const topicsOne = topicsOf(single);
    const topicsTwo = topicsOf(threaded);
    for (const kind of ['customer', 'merchant', 'transaction', 'label'] as const) {
      const count = one.produced[kind];
      const [a, b] = await Promise.all([
        decodedSorted(topicsOne[kind], count),
        decodedSorted(topicsTwo[kind], count),
      ]);
      expect(b.length, kind).toBe(count);
      expect(b, kind).toEqual(a);
    }
  }, 120_000);
});
