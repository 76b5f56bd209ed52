/**
 * Rebuilding task state from a compacted changelog. The stage's transactional producer commits a
 * barrier record to each partition to restore, and the state is everything read (read_committed)
 * before that barrier — so "the end" needs no offset arithmetic around transaction markers, and a
 * previous owner's transaction still open holds the read back until it is decided.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaClient, TransactionalProducer } from '../../core/kafka/client.ts';
import { readPartitions } from '../../core/kafka/reader.ts';
import type { ChangelogRecord } from './task.ts';

export const BARRIER_KEY = '__restore_barrier';

/** Commits one barrier per partition in one transaction; returns each partition's barrier id. */
export async function writeBarriers(
  producer: TransactionalProducer,
  changelog: string,
  partitions: readonly number[],
): Promise<Map<number, string>> {
  const barriers = new Map(partitions.map((partition) => [partition, randomUUID()]));
  const transaction = await producer.begin();
  try {
    await transaction.send(
      [...barriers].map(([partition, id]) => ({ topic: changelog, partition, key: BARRIER_KEY, value: id })),
    );
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
  return barriers;
}

/** Reads `changelog` until every partition in `barriers` has shown its barrier; returns the records. */
export async function readChangelog(
  kafka: KafkaClient,
  changelog: string,
  barriers: ReadonlyMap<number, string>,
  options: { timeoutMs: number },
): Promise<Map<number, ChangelogRecord[]>> {
  const records = new Map<number, ChangelogRecord[]>([...barriers.keys()].map((p) => [p, []]));
  if (barriers.size === 0) return records;
  await readPartitions(kafka, changelog, {
    partitions: [...barriers.keys()],
    timeoutMs: options.timeoutMs,
    onBatch(batch) {
      const list = records.get(batch.partition) as ChangelogRecord[];
      for (const record of batch.records) {
        const key = record.key?.toString('utf8') ?? '';
        if (key === BARRIER_KEY) {
          if (record.value?.toString('utf8') === barriers.get(batch.partition)) return true;
          continue;
        }
        list.push({ key, value: record.value ?? null });
      }
      return false;
    },
  });
  return records;
}
