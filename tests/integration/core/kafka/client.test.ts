/**
 * The Kafka module against the broker we run: transactions with consumer offsets and
 * read_committed reads (an aborted transaction stays hidden even when a fetch ends before its
 * abort marker), and the consumer-group runtime splitting partitions, reporting lag and resuming
 * from committed offsets — what producers, processors and sinks rely on.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaClient, type KafkaClient } from '../../../../core/kafka/client.ts';
import { PartitionFetcher, recordAt } from '../../../../core/kafka/fetcher.ts';
import { GroupRuntime, type TopicPartition } from '../../../../core/kafka/group-runtime.ts';
import { readPartitions } from '../../../../core/kafka/reader.ts';
import { createLogger } from '../../../../core/logger.ts';
import { withRetry } from '../../../../core/retry.ts';
import { testConfig, uniqueName } from '../../../harness/config.ts';

const config = testConfig(inject('endpoints'));
const logger = createLogger(config.log);

describe('the Kafka module against the running broker', () => {
  let kafka: KafkaClient;
  const topic = uniqueName('client');

  beforeAll(async () => {
    kafka = createKafkaClient(config.kafka, logger);
    await kafka.ensureTopics([{ topic, partitions: 3 }]);
  });
  afterAll(async () => {
    await kafka.deleteTopics([topic]);
    await kafka.close();
  });

  it('commits transactions with their consumer offsets, and hides aborted ones from read_committed', async () => {
    const txTopic = uniqueName('client.tx');
    await kafka.ensureTopics([{ topic: txTopic, partitions: 1 }]);
    const groupId = uniqueName('client-tx-group');
    const producer = kafka.transactionalProducer(uniqueName('client-tx'));
    await producer.init();
    // Many aborted batches of 200 bytes, then a committed one: fetches of 1 KiB per partition end
    // long before each abort marker, which is where a reader must still hide them.
    for (let round = 0; round < 3; round++) {
      const aborted = await producer.begin();
      for (let i = 0; i < 20; i++) {
        const value = `aborted-${round}-${i}`.padEnd(200, '.');
        await aborted.send([{ topic: txTopic, partition: 0, key: 'k', value }]);
      }
      await aborted.abort();
      const committed = await producer.begin();
      await committed.send([{ topic: txTopic, partition: 0, key: 'k', value: `committed-${round}` }]);
      // No group generation (-1, no member): a plain transactional offset commit.
      await committed.sendOffsets({ groupId, generationId: -1, memberId: '', coordinatorId: -1 }, [
        { topic: txTopic, partition: 0, offset: 42 + round },
      ]);
      await committed.commit();
    }
    await producer.close();

    const values: string[] = [];
    await readPartitions(kafka, txTopic, {
      timeoutMs: 30_000,
      partitionMaxBytes: 1024,
      onBatch(batch) {
        for (const record of batch.records) values.push(record.value?.toString() ?? '');
        return batch.nextOffset >= batch.endOffset;
      },
    });
    expect(values).toEqual(['committed-0', 'committed-1', 'committed-2']);
    // The offsets committed inside the transactions are the group's offsets now.
    expect((await kafka.groupOffsets(groupId, txTopic)).get(0)).toBe('44');
    await kafka.deleteTopics([txTopic]);
  });

  it('splits the partitions between two members of a group, reports lag, and resumes where committed', async () => {
    const groupId = uniqueName('client-group');
    const producer = kafka.producer();
    await producer.send(
      Array.from({ length: 30 }, (_, i) => ({ topic, key: `key-${i}`, value: `group-${i}` })),
    );
    await producer.close();

    const seen = new Map<string, number>();
    const assignments: TopicPartition[][] = [[], []];
    const lag = new Map<string, number>();
    const stop = new AbortController();
    const runtimes = [0, 1].map(
      () =>
        new GroupRuntime({
          kafka,
          groupId,
          topics: [topic],
          logger,
          signal: stop.signal,
          // Lag as the runtime reports it: end of the partition minus the handler's committed position.
          onLag: (t, p, value) => (value === null ? lag.delete(`${t}:${p}`) : lag.set(`${t}:${p}`, value)),
        }),
    );
    const running = runtimes.map((runtime, index) =>
      runtime.run({
        async assigned(partitions) {
          assignments[index] = [...partitions];
          return undefined;
        },
        records(batches) {
          const offsets = batches.map((b) => ({ topic, partition: b.partition, offset: b.nextOffset }));
          for (const batch of batches) {
            for (const record of batch.records) {
              const value = record.value?.toString() ?? '';
              seen.set(value, (seen.get(value) ?? 0) + 1);
            }
          }
          // Everything handed over counts as processed: commit it, so lag falls to 0.
          runtime.committed(offsets);
          return runtime.commitOffsets(offsets);
        },
        async close() {},
      }),
    );
    const split = () => assignments.every((p) => p.length > 0) && assignments.flat().length === 3;
    const deadline = Date.now() + 60_000;
    while ((seen.size < 30 || !split() || lag.size < 3) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    await Promise.all(running);

    expect(seen.size).toBe(30);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(
      assignments
        .flat()
        .map((p) => p.partition)
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(lag.size).toBe(3);
    expect([...lag.values()].every((value) => value === 0)).toBe(true);
    const committed = await kafka.groupOffsets(groupId, topic);
    for (const [partition, { high }] of await kafka.topicOffsets(topic))
      expect(committed.get(partition)).toBe(String(high));

    // A new member of the same group starts at the committed offsets: nothing is read again.
    const again = new AbortController();
    let reread = 0;
    let assignedTo = 0;
    const runtime = new GroupRuntime({ kafka, groupId, topics: [topic], logger, signal: again.signal });
    const done = runtime.run({
      async assigned(partitions) {
        assignedTo = partitions.length;
        return undefined;
      },
      records(batches) {
        for (const batch of batches) reread += batch.records.length;
      },
      async close() {},
    });
    const until = Date.now() + 30_000;
    while (assignedTo === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    again.abort();
    await done;
    expect(assignedTo).toBe(3);
    expect(reread).toBe(0);
  });

  it('hands over a silent partition at every fetch and after every assign, though fetch sessions leave it out', async () => {
    const quiet = uniqueName('client.quiet');
    await kafka.ensureTopics([{ topic: quiet, partitions: 2 }]);
    const producer = kafka.producer();
    await producer.send([{ topic: quiet, partition: 1, value: 'only partition 1 has a record' }]);
    await producer.close();
    const client = kafka.rawConsumer(uniqueName('client-quiet'));
    const fetcher = new PartitionFetcher(client, [quiet], {
      maxWaitMs: 20,
      partitionMaxBytes: 64 * 1024,
      maxBytes: 1024 * 1024,
    });
    // Partition 0 stays empty: after the first response of the client's fetch session (KIP-227)
    // the broker leaves it out. A rebalance that keeps it where it stood assigns it again.
    const positions = [
      { topic: quiet, partition: 0, offset: 0 },
      { topic: quiet, partition: 1, offset: 0 },
    ];
    fetcher.assign(positions);
    const rounds: string[][] = [];
    // Without the partition in its responses a fetch hands nothing over: stop after a while.
    const timer = setTimeout(() => fetcher.stop(), 15_000);
    try {
      await fetcher.run((batches) => {
        rounds.push(batches.map((batch) => `${batch.partition}: end ${batch.endOffset}`).sort());
        if (rounds.length === 3)
          fetcher.assign([
            positions[0] as (typeof positions)[number],
            { ...(positions[1] as (typeof positions)[number]), offset: 1 },
          ]);
        if (rounds.length === 6) fetcher.stop();
      });
    } finally {
      clearTimeout(timer);
      await client.close(true);
      await kafka.deleteTopics([quiet]);
    }
    expect(rounds).toEqual(Array.from({ length: 6 }, () => ['0: end 0', '1: end 1']));
  });

  it('reads a committed record back by offset right after its commit, before its markers land', async () => {
    // What the label join does: the commit has answered, the coordinator may still be writing the
    // markers, and a read_committed fetch of the offset can come back empty meanwhile — that is a
    // "not yet", never "no such record".
    const lookupTopic = uniqueName('client.lookup');
    await kafka.ensureTopics([{ topic: lookupTopic, partitions: 2 }]);
    const producer = kafka.transactionalProducer(uniqueName('client-lookup'));
    await producer.init();
    const reader = kafka.rawConsumer(uniqueName('client-lookup-group'));
    try {
      for (let round = 0; round < 40; round++) {
        const transaction = await producer.begin();
        const [offset] = await transaction.send([
          { topic: lookupTopic, partition: round % 2, key: 'k', value: `record-${round}` },
        ]);
        await transaction.commit();
        const found = await withRetry(() => recordAt(reader, lookupTopic, round % 2, offset as number));
        expect(found?.value?.toString(), `round ${round}, offset ${offset}`).toBe(`record-${round}`);
      }
    } finally {
      await producer.close();
      await reader.close(true);
    }
  });
});
