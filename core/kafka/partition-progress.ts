/**
 * How far each assigned partition stands: handed to the handler (`delivered`, past transaction
 * markers too), the end of the last record handed over, what the handler has made durable
 * (`committed`) and the read-committed end last fetched. Lag is the records still unprocessed.
 */
import { partitionKey } from './fetcher.ts';

interface Progress {
  topic: string;
  partition: number;
  committed: number;
  delivered: number;
  recordEnd: number;
  end: number | undefined;
}

export class PartitionProgress {
  private readonly partitions = new Map<string, Progress>();

  /**
   * Starts over: these partitions, read from these offsets. Returns the partitions it no longer
   * follows, whose lag is not this instance's to report any more.
   */
  reset(
    starts: readonly { topic: string; partition: number; offset: number }[],
  ): { topic: string; partition: number }[] {
    const kept = new Set(starts.map(({ topic, partition }) => partitionKey(topic, partition)));
    const dropped = [...this.partitions]
      .filter(([key]) => !kept.has(key))
      .map(([, { topic, partition }]) => ({ topic, partition }));
    this.partitions.clear();
    for (const { topic, partition, offset } of starts) {
      this.partitions.set(partitionKey(topic, partition), {
        topic,
        partition,
        committed: offset,
        delivered: offset,
        recordEnd: offset,
        end: undefined,
      });
    }
    return dropped;
  }

  /** A fetch's batch reached the handler: up to `nextOffset`, its last record at `lastRecord`. */
  delivered(
    topic: string,
    partition: number,
    nextOffset: number,
    lastRecord: number | undefined,
    end: number,
  ): void {
    const progress = this.partitions.get(partitionKey(topic, partition));
    if (!progress) return;
    progress.delivered = Math.max(progress.delivered, nextOffset);
    if (lastRecord !== undefined) progress.recordEnd = Math.max(progress.recordEnd, lastRecord + 1);
    progress.end = end;
  }

  committed(topic: string, partition: number, offset: number): void {
    const progress = this.partitions.get(partitionKey(topic, partition));
    if (progress) progress.committed = Math.max(progress.committed, offset);
  }

  /** Records between what is committed and the end; undefined before the end is known. */
  lag(topic: string, partition: number): number | undefined {
    const progress = this.partitions.get(partitionKey(topic, partition));
    if (progress?.end === undefined) return undefined;
    let { committed } = progress;
    // Transaction markers are not records: once every record handed over is committed, what
    // follows up to the delivered position is markers only, and nothing is left to process there.
    if (committed >= progress.recordEnd && progress.delivered > committed) committed = progress.delivered;
    return Math.max(0, progress.end - committed);
  }

  /** Whether everything up to the end last fetched has been handed to the handler. */
  caughtUp(topic: string, partition: number): boolean {
    const progress = this.partitions.get(partitionKey(topic, partition));
    return progress?.end !== undefined && progress.delivered >= progress.end;
  }
}
