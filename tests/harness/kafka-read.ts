/** Reading a whole topic back (read_committed) in integration tests. */
import type { KafkaClient } from '../../core/kafka/client.ts';
import { readPartitions } from '../../core/kafka/reader.ts';

export interface ReadRecord {
  key: string | null;
  value: Buffer | null;
  partition: number;
  offset: number;
  /** Epoch milliseconds. */
  timestamp: number;
  headers: Record<string, string>;
}

/** Reads `topic` from the beginning until `done` says so (checked after each fetch) or the timeout. */
export async function readTopic(
  kafka: KafkaClient,
  topic: string,
  done: (records: readonly ReadRecord[]) => boolean,
  timeoutMs = 90_000,
): Promise<ReadRecord[]> {
  // The topic may not exist yet when the stage that creates it is still starting.
  const deadline = Date.now() + timeoutMs;
  while ((await kafka.partitionCount(topic)) === undefined) {
    if (Date.now() > deadline) throw new Error(`${topic}: does not exist after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const records: ReadRecord[] = [];
  let finished = false;
  await readPartitions(kafka, topic, {
    timeoutMs: Math.max(1000, deadline - Date.now()),
    onBatch(batch) {
      for (const record of batch.records) {
        const headers: Record<string, string> = {};
        for (const [name, value] of record.headers) headers[name?.toString() ?? ''] = value?.toString() ?? '';
        records.push({
          key: record.key?.toString('utf8') ?? null,
          value: record.value,
          partition: batch.partition,
          offset: record.offset,
          timestamp: record.timestamp,
          headers,
        });
      }
      return false;
    },
    done: () => {
      finished ||= done(records);
      return finished;
    },
  }).catch((error: unknown) => {
    if (!finished)
      throw new Error(`${topic}: ${records.length} records after ${timeoutMs} ms (${String(error)})`);
  });
  if (!finished) throw new Error(`${topic}: ${records.length} records after ${timeoutMs} ms`);
  return records;
}

/** Records written to `topic` so far, open and aborted transactions included (0 before it exists). */
export async function recordsWritten(kafka: KafkaClient, topic: string): Promise<number> {
  const offsets = await kafka.topicOffsets(topic).catch(() => new Map<number, { high: number }>());
  return [...offsets.values()].reduce((sum, o) => sum + o.high, 0);
}
