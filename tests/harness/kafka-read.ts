/** Reading a whole topic back (read_committed) in integration tests. */
import type { KafkaClient } from '../../core/kafka/client.ts';
import { uniqueName } from './config.ts';

export interface ReadRecord {
  key: string | null;
  value: Buffer | null;
  partition: number;
  offset: number;
  headers: Record<string, string>;
}

/** Reads `topic` from the beginning until `done` says so (checked after each batch) or the timeout. */
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
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${topic}: ${records.length} records after ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const headers: Record<string, string> = {};
              for (const [name, value] of Object.entries(message.headers ?? {}))
                headers[name] = String(value);
              records.push({
                key: message.key?.toString('utf8') ?? null,
                value: message.value,
                partition: batch.partition,
                offset: Number(message.offset),
                headers,
              });
            }
            if (done(records)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
