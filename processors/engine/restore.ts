/**
 * Rebuilding task state from a compacted changelog. The task's transactional producer has just
 * fenced any previous owner; it then commits a barrier record to each partition, and the state is
 * everything read (read_committed) before that barrier — so "the end" needs no offset arithmetic
 * around transaction markers.
 */
import { randomUUID } from 'node:crypto';
import { SynfinError } from '../../core/errors.ts';
import type { KafkaClient, Producer } from '../../core/kafka/client.ts';
import type { ChangelogRecord } from './task.ts';

export const BARRIER_KEY = '__restore_barrier';

export async function writeBarrier(
  producer: Producer,
  changelog: string,
  partition: number,
): Promise<string> {
  const id = randomUUID();
  const transaction = await producer.transaction();
  try {
    await transaction.send({ topic: changelog, messages: [{ key: BARRIER_KEY, value: id, partition }] });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
  return id;
}

/** Reads `changelog` until every partition in `barriers` has shown its barrier; returns the records. */
export async function readChangelog(
  kafka: KafkaClient,
  changelog: string,
  barriers: ReadonlyMap<number, string>,
  options: { groupPrefix: string; timeoutMs: number; keepAlive?: () => Promise<void> },
): Promise<Map<number, ChangelogRecord[]>> {
  const records = new Map<number, ChangelogRecord[]>([...barriers.keys()].map((p) => [p, []]));
  if (barriers.size === 0) return records;
  const pending = new Set(barriers.keys());
  const groupId = `${options.groupPrefix}-restore-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 8 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: changelog, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new SynfinError(
              'STATE_RESTORE_FAILED',
              `${changelog}: barrier not reached after ${options.timeoutMs} ms on partitions ${[...pending].join(',')}`,
            ),
          ),
        options.timeoutMs,
      );
      const keepAlive = options.keepAlive ? setInterval(() => void options.keepAlive?.(), 3000) : undefined;
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const list = records.get(batch.partition);
            if (!list || !pending.has(batch.partition)) return;
            for (const message of batch.messages) {
              const key = message.key?.toString('utf8') ?? '';
              if (key === BARRIER_KEY) {
                if (message.value?.toString('utf8') === barriers.get(batch.partition)) {
                  pending.delete(batch.partition);
                  break;
                }
                continue;
              }
              list.push({ key, value: message.value ? message.value.toString('utf8') : null });
            }
            if (pending.size === 0) {
              clearTimeout(timer);
              clearInterval(keepAlive);
              resolve();
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          clearInterval(keepAlive);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect();
    await kafka.deleteGroups([groupId]);
  }
  return records;
}
