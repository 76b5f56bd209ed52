/**
 * Proof that kafkajs (last released 2023) works with the broker we run (Kafka 4.x, which removed
 * old protocol versions): consumer groups, the idempotent producer and transactions, including
 * transactional offsets and read_committed isolation — what producers and processors rely on.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Consumer, createKafkaClient, type KafkaClient } from '../../../../core/kafka/client.ts';
import { createLogger } from '../../../../core/logger.ts';
import { withRetry } from '../../../../core/retry.ts';
import { testConfig, uniqueName } from '../../../harness/config.ts';

const config = testConfig(inject('endpoints'));
const logger = createLogger(config.log);

async function readAll(consumer: Consumer, topic: string, count: number): Promise<string[]> {
  const values: string[] = [];
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (values.length >= count) resolve();
        },
      })
      .catch(reject);
  });
  return values;
}

describe('kafkajs against the running broker', () => {
  let kafka: KafkaClient;
  const topic = uniqueName('compat');

  beforeAll(async () => {
    kafka = createKafkaClient(config.kafka, logger);
    await kafka.ensureTopics([{ topic, partitions: 3 }]);
  });
  afterAll(async () => {
    await kafka.deleteTopics([topic]);
    await kafka.close();
  });

  it('commits a transaction with its consumer offsets, and hides an aborted one from read_committed', async () => {
    const groupId = uniqueName('compat-tx-group');
    const producer = kafka.producer({
      transactionalId: uniqueName('compat-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted' }] });
    await aborted.abort();

    // The group coordinator may still be loading right after the broker starts: that is retriable.
    await withRetry(async () => {
      const committed = await producer.transaction();
      try {
        await committed.send({ topic, messages: [{ key: 'k', value: 'committed' }] });
        await committed.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic, partitions: [{ partition: 0, offset: '42' }] }],
        });
        await committed.commit();
      } catch (error) {
        await committed.abort().catch(() => undefined);
        throw error;
      }
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('compat-reader'), readUncommitted: false });
    await consumer.connect();
    const values = await readAll(consumer, topic, 1);
    await consumer.disconnect();
    expect(values).toContain('committed');
    expect(values).not.toContain('aborted');

    // The offsets committed inside the transaction are the group's offsets now.
    expect((await kafka.groupOffsets(groupId, topic)).get(0)).toBe('42');
  });

  it('splits the partitions between two members of one consumer group', async () => {
    const groupId = uniqueName('compat-group');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `key-${i}`, value: `group-${i}` })),
    });
    await producer.disconnect();

    const seen = new Set<string>();
    const assignments: number[][] = [[], []];
    const members = [kafka.consumer({ groupId }), kafka.consumer({ groupId })];
    await Promise.all(
      members.map(async (member, index) => {
        member.on(member.events.GROUP_JOIN, (event) => {
          assignments[index] = event.payload.memberAssignment[topic] ?? [];
        });
        await member.connect();
        await member.subscribe({ topic, fromBeginning: true });
        await member.run({
          eachMessage: async ({ message }) => {
            const value = message.value?.toString() ?? '';
            if (value.startsWith('group-')) seen.add(value);
          },
        });
      }),
    );
    const split = () =>
      assignments.every((partitions) => partitions.length > 0) && assignments.flat().length === 3;
    const deadline = Date.now() + 60_000;
    while ((seen.size < 30 || !split()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    await Promise.all(members.map((member) => member.disconnect()));

    expect(seen.size).toBe(30);
    expect(assignments.flat().sort()).toEqual([0, 1, 2]);
    expect(assignments.every((partitions) => partitions.length > 0)).toBe(true);
  });
});
