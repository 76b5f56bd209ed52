/**
 * Reads assigned partitions from their leaders, read_committed, one fetch request ahead of the
 * handler: while a batch is processed the next one is already on its way. Positions are ours, so a
 * caller seeks by `assign`, and every batch says where reading stands and where the committed end
 * is (for lag and "caught up").
 *
 * Aborted transactions are filtered here, the way Kafka's Java client does it: the fetch response
 * lists the aborted transactions it overlaps, and every batch of such a producer from the
 * transaction's first offset on is dropped until that producer's abort marker. (The client's own
 * filter keeps aborted records whose marker falls outside the response; this one does not.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Consumer, FetchIsolationLevels, IS_CONTROL, IS_TRANSACTIONAL } from '@platformatic/kafka';
import { SynfinError } from '../errors.ts';
import { isRetriableKafkaError, kafkaErrorId } from './errors.ts';

export interface ConsumedRecord {
  offset: number;
  /** Epoch milliseconds. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly (readonly [Buffer | null, Buffer | null])[];
}

/** What one fetch brought for one partition (records may be empty: only the end moved). */
export interface FetchedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** The next offset to read after this batch (transaction markers included). */
  nextOffset: number;
  /** The partition's read-committed end (last stable offset) when it was fetched. */
  endOffset: number;
}

export interface FetcherOptions {
  maxWaitMs: number;
  /** Bytes per partition and response: the memory a fetch can take. */
  partitionMaxBytes: number;
  maxBytes: number;
  /** A failed fetch (retried after a pause); `attempt` counts consecutive failures. */
  onError?(error: unknown, attempt: number): void;
}

/** The raw shapes of a fetch response that we read (the client's types are per API version). */
interface RawBatch {
  firstOffset: bigint;
  lastOffsetDelta: number;
  firstTimestamp: bigint;
  attributes: number;
  producerId: bigint;
  records: {
    offsetDelta: number;
    timestampDelta: bigint;
    key: Buffer | null;
    value: Buffer | null;
    headers: [Buffer | null, Buffer | null][];
  }[];
}

interface RawPartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null;
  records?: RawBatch[] | null;
}

interface RawResponse {
  responses: { topicId: string; partitions: RawPartition[] }[];
}

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** The records of one partition's response that a read_committed reader may see, from `position` on. */
export function visibleRecords(
  partition: Pick<RawPartition, 'abortedTransactions' | 'records'>,
  position: number,
): { records: ConsumedRecord[]; nextOffset: number } {
  const aborted = [...(partition.abortedTransactions ?? [])].sort((a, b) =>
    a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
  );
  const abortedProducers = new Set<bigint>();
  let nextAborted = 0;
  const records: ConsumedRecord[] = [];
  let nextOffset = position;
  for (const batch of partition.records ?? []) {
    const first = Number(batch.firstOffset);
    const last = first + batch.lastOffsetDelta;
    if (last < position) continue;
    nextOffset = last + 1;
    while (
      nextAborted < aborted.length &&
      Number((aborted[nextAborted] as { firstOffset: bigint }).firstOffset) <= last
    ) {
      abortedProducers.add((aborted[nextAborted] as { producerId: bigint }).producerId);
      nextAborted++;
    }
    if (batch.attributes & IS_CONTROL) {
      // A control record's key is (version int16, type int16); type 0 is ABORT.
      if (batch.records[0]?.key?.readInt16BE(2) === 0) abortedProducers.delete(batch.producerId);
      continue;
    }
    if (batch.attributes & IS_TRANSACTIONAL && abortedProducers.has(batch.producerId)) continue;
    const firstTimestamp = Number(batch.firstTimestamp);
    for (const record of batch.records) {
      const offset = first + record.offsetDelta;
      if (offset < position) continue;
      records.push({
        offset,
        timestamp: firstTimestamp + Number(record.timestampDelta),
        key: record.key,
        value: record.value,
        headers: record.headers,
      });
    }
  }
  return { records, nextOffset };
}

/** One read_committed fetch request to one broker: per topic id, partitions and where to read them. */
function fetchCommitted(
  client: Consumer,
  node: number,
  perTopic: ReadonlyMap<string, readonly { partition: number; fetchOffset: bigint }[]>,
  options: Pick<FetcherOptions, 'maxWaitMs' | 'maxBytes' | 'partitionMaxBytes'>,
): Promise<RawResponse> {
  return client.fetch({
    node,
    maxWaitTime: options.maxWaitMs,
    maxBytes: options.maxBytes,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    topics: [...perTopic].map(([topicId, partitions]) => ({
      topicId,
      partitions: partitions.map(({ partition, fetchOffset }) => ({
        partition,
        fetchOffset,
        partitionMaxBytes: options.partitionMaxBytes,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      })),
    })),
  }) as unknown as Promise<RawResponse>;
}

/**
 * The committed record at `offset` of one partition, or null where there is none (a transaction
 * marker, an aborted write, or deleted by retention): the label join reads a purchase's features
 * record back this way instead of keeping it in memory for weeks.
 */
export async function recordAt(
  client: Consumer,
  topic: string,
  partition: number,
  offset: number,
): Promise<ConsumedRecord | null> {
  client.topics.track(topic);
  const info = (await client.metadata({ topics: [topic] })).topics.get(topic);
  const leader = info?.partitions[partition]?.leader;
  if (!info || leader === undefined || leader < 0)
    throw new SynfinError('KAFKA_UNAVAILABLE', `${topic}:${partition} has no leader`, { retriable: true });
  let response: RawResponse;
  try {
    response = await fetchCommitted(
      client,
      leader,
      new Map([[info.id, [{ partition, fetchOffset: BigInt(offset) }]]]),
      { maxWaitMs: 0, maxBytes: 4 * 1024 * 1024, partitionMaxBytes: 1024 * 1024 },
    );
  } catch (error) {
    if (kafkaErrorId(error) === 'OFFSET_OUT_OF_RANGE') return null;
    throw error;
  }
  for (const topicResponse of response.responses)
    for (const raw of topicResponse.partitions) {
      if (raw.partitionIndex !== partition) continue;
      // Written but not yet stable: the transaction that wrote it has committed for its producer,
      // but the coordinator writes the markers after answering, so a read_committed fetch can
      // come back empty for a moment. Empty is not "none" until the record is below the stable end.
      const stableEnd = Number(raw.lastStableOffset);
      if (stableEnd >= 0 && offset >= stableEnd && offset < Number(raw.highWatermark))
        throw new SynfinError('KAFKA_UNAVAILABLE', `${topic}:${partition}@${offset} is not stable yet`, {
          retriable: true,
        });
      const found = visibleRecords(raw, offset).records[0];
      return found?.offset === offset ? found : null;
    }
  return null;
}

export class PartitionFetcher {
  private readonly client: Consumer;
  private readonly options: FetcherOptions;
  private positions = new Map<string, { topic: string; partition: number; offset: number }>();
  /** Each partition's end as last fetched, kept across `assign`: what an unchanged partition still has. */
  private readonly ends = new Map<string, number>();
  private epoch = 0;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(client: Consumer, topics: readonly string[], options: FetcherOptions) {
    this.client = client;
    this.options = options;
    for (const topic of topics) client.topics.track(topic);
  }

  /** Reads these partitions from these offsets from now on (and nothing else). */
  assign(positions: readonly { topic: string; partition: number; offset: number }[]): void {
    this.epoch++;
    this.positions = new Map(positions.map((p) => [partitionKey(p.topic, p.partition), { ...p }]));
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Fetches until stopped, handing each response's batches to `deliver` (awaited). */
  async run(deliver: (batches: FetchedBatch[]) => Promise<void> | void): Promise<void> {
    let pending = this.fetchOnce(0);
    while (!this.stopped) {
      const result = await pending;
      if (this.stopped) break;
      pending = this.fetchOnce(result.failures);
      if (result.batches.length > 0 && result.epoch === this.epoch) await deliver(result.batches);
    }
    await pending.catch(() => undefined);
  }

  private async fetchOnce(
    failures: number,
  ): Promise<{ epoch: number; batches: FetchedBatch[]; failures: number }> {
    const epoch = this.epoch;
    if (this.positions.size === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 1000).unref();
      });
      this.wake = undefined;
      return { epoch, batches: [], failures };
    }
    try {
      const batches = await this.fetchAll(epoch);
      return { epoch, batches, failures: 0 };
    } catch (error) {
      const attempt = failures + 1;
      this.options.onError?.(error, attempt);
      this.client.clearMetadata();
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 4)));
      // Retriable failures (a leader moving, a broker restarting) are retried for as long as it
      // takes; anything else is given up after 30 in a row.
      if (!isRetriableKafkaError(error) && attempt >= 30) throw error;
      return { epoch, batches: [], failures: attempt };
    }
  }

  private async fetchAll(epoch: number): Promise<FetchedBatch[]> {
    const topics = [...new Set([...this.positions.values()].map((p) => p.topic))];
    const metadata = await this.client.metadata({ topics });
    const names = new Map<string, string>();
    const byNode = new Map<number, Map<string, { partition: number; fetchOffset: bigint }[]>>();
    for (const { topic, partition, offset } of this.positions.values()) {
      const info = metadata.topics.get(topic);
      const leader = info?.partitions[partition]?.leader;
      if (!info || leader === undefined || leader < 0) {
        this.client.clearMetadata();
        continue;
      }
      names.set(info.id, topic);
      let node = byNode.get(leader);
      if (!node) {
        node = new Map();
        byNode.set(leader, node);
      }
      let list = node.get(info.id);
      if (!list) {
        list = [];
        node.set(info.id, list);
      }
      list.push({ partition, fetchOffset: BigInt(offset) });
    }
    const byNodeList = [...byNode];
    const responses = await Promise.all(
      byNodeList.map(([node, perTopic]) =>
        fetchCommitted(this.client, node, perTopic, this.options).catch((error: unknown) =>
          this.recover(error, names),
        ),
      ),
    );
    const batches: FetchedBatch[] = [];
    if (epoch !== this.epoch) return batches;
    for (const [index, response] of (responses as (RawResponse | undefined)[]).entries()) {
      if (!response) continue;
      const answered = new Set<string>();
      for (const topicResponse of response.responses) {
        const topic = names.get(topicResponse.topicId) ?? topicResponse.topicId;
        for (const raw of topicResponse.partitions) {
          const key = partitionKey(topic, raw.partitionIndex);
          answered.add(key);
          const position = this.positions.get(key);
          if (!position || raw.errorCode !== 0) continue;
          const stable = Number(raw.lastStableOffset);
          const end = stable >= 0 ? stable : Number(raw.highWatermark);
          this.ends.set(key, end);
          const { records, nextOffset } = visibleRecords(raw, position.offset);
          position.offset = Math.max(position.offset, nextOffset);
          batches.push({
            topic,
            partition: raw.partitionIndex,
            records,
            nextOffset: position.offset,
            endOffset: end,
          });
        }
      }
      // The client keeps a fetch session per broker (KIP-227): a partition without new records or a
      // new end is left out of the response. It still stands where it stood, so it is handed over
      // as an empty batch at its last end: a caller that started over (a rebalance) learns that a
      // silent partition is caught up. Without this an empty input, unchanged across a rebalance,
      // never counted as caught up, never went idle, and held every event behind it.
      const [, requested] = byNodeList[index] as (typeof byNodeList)[number];
      for (const [topicId, partitions] of requested) {
        const topic = names.get(topicId) ?? topicId;
        for (const { partition } of partitions) {
          const key = partitionKey(topic, partition);
          const position = this.positions.get(key);
          const end = this.ends.get(key);
          if (answered.has(key) || !position || end === undefined) continue;
          batches.push({ topic, partition, records: [], nextOffset: position.offset, endOffset: end });
        }
      }
    }
    return batches;
  }

  /** A partition whose offset is gone (retention, a recreated topic) restarts at its log start. */
  private recover(error: unknown, names: ReadonlyMap<string, string>): RawResponse | undefined {
    if (kafkaErrorId(error) !== 'OFFSET_OUT_OF_RANGE') throw error;
    const response = (error as { response?: RawResponse }).response;
    for (const topicResponse of response?.responses ?? []) {
      const topic = names.get(topicResponse.topicId) ?? topicResponse.topicId;
      for (const raw of topicResponse.partitions) {
        const position = this.positions.get(partitionKey(topic, raw.partitionIndex));
        // OFFSET_OUT_OF_RANGE is protocol error 1.
        if (raw.errorCode === 1 && position && raw.logStartOffset >= 0n)
          position.offset = Number(raw.logStartOffset);
      }
    }
    return response;
  }
}
