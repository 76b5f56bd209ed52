/**
 * Reading partitions from their beginning without a consumer group (read_committed): restoring
 * state from a changelog, reading a topic back in tests and tools.
 */
import { randomUUID } from 'node:crypto';
import { SynfinError } from '../errors.ts';
import type { KafkaClient } from './client.ts';
import { type FetchedBatch, PartitionFetcher } from './fetcher.ts';

export interface ReadOptions {
  /** Partitions to read; all of the topic's when omitted. */
  partitions?: readonly number[];
  timeoutMs: number;
  /** Bytes per partition and fetch (4 MiB by default). */
  partitionMaxBytes?: number;
  /** Called per fetched batch; returns true once that partition needs nothing more. */
  onBatch(batch: FetchedBatch): boolean;
  /** Called after each fetch; returns true to end the read early (all partitions done also ends it). */
  done?(): boolean;
}

/** Reads `topic` from the start of each partition until `onBatch` says every partition is done. */
export async function readPartitions(kafka: KafkaClient, topic: string, options: ReadOptions): Promise<void> {
  const count = await kafka.partitionCount(topic);
  if (count === undefined) throw new SynfinError('TOPIC_MISSING', `${topic}: no such topic`);
  const partitions = options.partitions ?? Array.from({ length: count }, (_, p) => p);
  if (partitions.length === 0) return;
  const pending = new Set(partitions);
  const client = kafka.rawConsumer(`synfin-reader-${randomUUID()}`);
  const fetcher = new PartitionFetcher(client, [topic], {
    maxWaitMs: 100,
    partitionMaxBytes: options.partitionMaxBytes ?? 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
  });
  const lows = await kafka.topicOffsets(topic);
  fetcher.assign(
    partitions.map((partition) => ({ topic, partition, offset: lows.get(partition)?.low ?? 0 })),
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    fetcher.stop();
  }, options.timeoutMs);
  try {
    await fetcher.run((batches) => {
      for (const batch of batches) {
        if (pending.has(batch.partition) && options.onBatch(batch)) pending.delete(batch.partition);
      }
      if (pending.size === 0 || options.done?.()) fetcher.stop();
    });
  } finally {
    clearTimeout(timer);
    await client.close(true).catch(() => undefined);
  }
  if (timedOut && pending.size > 0 && !options.done?.()) {
    throw new SynfinError(
      'STATE_RESTORE_FAILED',
      `${topic}: partitions ${[...pending].join(',')} not read to the end after ${options.timeoutMs} ms`,
    );
  }
}
