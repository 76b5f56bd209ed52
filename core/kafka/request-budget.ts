/**
 * How many messages go in one produce request. The broker refuses a partition's record batch above
 * its `message.max.bytes` (1 MiB by default), and the client makes one batch per partition of a
 * request, so each partition's share of a request is bounded — not the request as a whole: a
 * commit of 9 MB over 30 partitions is then a few requests rather than a dozen round trips one
 * after another (which was most of a processor's commit time). A message without a partition goes
 * where the client's partitioner puts it, so it counts against every partition of its topic.
 */
export const PARTITION_BYTES = 768 * 1024;
/** A request as a whole stays far below the broker's `socket.request.max.bytes` (100 MiB). */
export const REQUEST_BYTES = 16 * 1024 * 1024;
/** What a record costs beyond its key and value (headers of the batch format, roughly). */
export const RECORD_OVERHEAD_BYTES = 64;

interface TopicShare {
  /** Bytes of messages with a partition, by partition. */
  readonly byPartition: number[];
  /** The most any one partition holds of those. */
  largest: number;
  /** Bytes of messages the partitioner places. */
  unplaced: number;
}

export class RequestBudget {
  private readonly topics = new Map<string, TopicShare>();
  private total = 0;
  private readonly partitionBytes: number;
  private readonly requestBytes: number;

  constructor(partitionBytes = PARTITION_BYTES, requestBytes = REQUEST_BYTES) {
    this.partitionBytes = partitionBytes;
    this.requestBytes = requestBytes;
  }

  /** Whether the request is empty (a message too large alone still goes, in a request of its own). */
  get empty(): boolean {
    return this.total === 0;
  }

  /** Whether a message of `bytes` fits in the request as it stands. */
  fits(topic: string, partition: number | undefined, bytes: number): boolean {
    if (this.total + bytes > this.requestBytes) return false;
    const share = this.topics.get(topic);
    if (!share) return bytes <= this.partitionBytes;
    const placed = partition === undefined ? share.largest : (share.byPartition[partition] ?? 0);
    return placed + share.unplaced + bytes <= this.partitionBytes;
  }

  add(topic: string, partition: number | undefined, bytes: number): void {
    this.total += bytes;
    let share = this.topics.get(topic);
    if (!share) {
      share = { byPartition: [], largest: 0, unplaced: 0 };
      this.topics.set(topic, share);
    }
    if (partition === undefined) {
      share.unplaced += bytes;
      return;
    }
    const now = (share.byPartition[partition] ?? 0) + bytes;
    share.byPartition[partition] = now;
    if (now > share.largest) share.largest = now;
  }

  clear(): void {
    this.topics.clear();
    this.total = 0;
  }
}
