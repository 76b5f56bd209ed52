/**
 * The one module every Kafka call of the project goes through (with its siblings in this folder),
 * on @platformatic/kafka. Callers see our own small types — messages, producers, transactions,
 * consumed batches — so the client's types and quirks stay here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Admin,
  type API,
  type BaseOptions,
  type Callback,
  type Connection,
  Consumer,
  compatibilityPartitioner,
  kGetApi,
  kGetConnection,
  type MessageToProduce,
  Producer,
  type SASLOptions,
} from '@platformatic/kafka';
import type { KafkaConfig } from '../config/schema.ts';
import { SynfinError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { KafkaClientMetrics } from '../metrics.ts';
import { defaultRetry, type RetryPolicy, withRetry } from '../retry.ts';
import { copartitionedAssigner } from './assignor.ts';
import {
  afterPreviousTransaction,
  isGroupMovedOn,
  isRetriableKafkaError,
  kafkaErrorId,
  retryDelayMs,
  TRANSACTION_TIMEOUT_MS,
} from './errors.ts';
import { RECORD_OVERHEAD_BYTES, RequestBudget } from './request-budget.ts';

/** The codecs a record batch may be compressed with (lz4 and snappy run in the client's WebAssembly). */
export const COMPRESSIONS = ['none', 'gzip', 'lz4', 'snappy', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Topic-level configs, e.g. { 'retention.ms': '604800000', 'cleanup.policy': 'compact' }. */
  configs?: Record<string, string>;
}

/** A record to produce. Without a partition, the key decides it (Java's murmur2, as every Kafka client). */
export interface OutgoingMessage {
  topic: string;
  partition?: number;
  key?: string | Buffer | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
  /** Epoch milliseconds; the broker's time when omitted. */
  timestamp?: number;
}

export interface SendOptions {
  compression?: Compression;
}

/** An idempotent producer (acks=all): a retried request is never written twice. */
export interface KafkaProducer {
  send(messages: readonly OutgoingMessage[], options?: SendOptions): Promise<void>;
  close(): Promise<void>;
}

/** Offsets to commit with a transaction: the next offset to read, per input partition. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** The consumer-group identity a transaction commits offsets for (KIP-447: fenced by generation). */
export interface GroupMetadata {
  groupId: string;
  generationId: number;
  memberId: string;
  coordinatorId: number;
}

export interface KafkaTransaction {
  /**
   * Sends within the transaction; resolves to the offset each message was written at, in order
   * (-1 for a message without an explicit partition). They are visible once the transaction commits.
   */
  send(messages: readonly OutgoingMessage[], options?: SendOptions): Promise<number[]>;
  /** Commits consumer offsets in this transaction, for the group as it is now (exactly-once v2). */
  sendOffsets(group: GroupMetadata, offsets: readonly PartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** A producer whose writes are transactions; one transaction at a time. */
export interface TransactionalProducer {
  readonly transactionalId: string;
  /** Fences older producers of the same id (their open transaction is aborted). */
  init(): Promise<void>;
  begin(): Promise<KafkaTransaction>;
  close(): Promise<void>;
}

export interface KafkaClient {
  /** Creates the topics that are missing and waits for their leaders; returns those created. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<string[]>;
  /** Deletes those of `topics` that exist. */
  deleteTopics(topics: readonly string[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Who answers: the cluster id, its brokers and the active controller. */
  describeCluster(): Promise<{ clusterId: string; brokers: number; controller: number | null }>;
  /**
   * The committed offset of each partition of `topic` for `groupId` ('-1' where none). `stable`
   * waits for offsets still pending in an open transaction (KIP-447), as a new owner must.
   */
  groupOffsets(groupId: string, topic: string, options?: { stable?: boolean }): Promise<Map<number, string>>;
  /** The first and next offsets (high watermark) of each partition of `topic`. */
  topicOffsets(topic: string): Promise<Map<number, { low: number; high: number }>>;
  /** How many partitions `topic` has; undefined when it does not exist. */
  partitionCount(topic: string): Promise<number | undefined>;
  /** Deletes consumer groups (those that exist and are empty). */
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  producer(): KafkaProducer;
  transactionalProducer(transactionalId: string): TransactionalProducer;
  /** A client for group membership or fetching (see group-runtime.ts and reader.ts). */
  rawConsumer(groupId: string, options?: RawConsumerOptions): Consumer;
  readonly logger: Logger;
  /** The settings it was made with (a thread of the same process makes its own client from them). */
  readonly config: KafkaConfig;
  /** Disconnects the shared admin client; producers and consumers are closed by their owners. */
  close(): Promise<void>;
}

export interface RawConsumerOptions {
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
}

export interface KafkaClientOptions {
  retry?: RetryPolicy;
  /** Where produce counts, bytes and latency go; none when omitted. */
  metrics?: KafkaClientMetrics;
  /** The client's own retries per request (its default when omitted); 0 for one-shot probes. */
  clientRetries?: number;
}

const SASL_MECHANISM = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

function toBuffer(value: string | Buffer | null | undefined): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/** Our message as the client's (Buffers, bigint timestamp). */
function toClientMessage(message: OutgoingMessage): MessageToProduce {
  const converted: MessageToProduce = { topic: message.topic };
  const key = toBuffer(message.key);
  if (key !== undefined) converted.key = key;
  const value = toBuffer(message.value);
  if (value !== undefined) converted.value = value;
  if (message.partition !== undefined) converted.partition = message.partition;
  if (message.timestamp !== undefined) converted.timestamp = BigInt(message.timestamp);
  if (message.headers) {
    const headers = new Map<Buffer, Buffer>();
    for (const name in message.headers)
      headers.set(Buffer.from(name), Buffer.from(message.headers[name] ?? ''));
    converted.headers = headers;
  }
  return converted;
}

function compressionOf(options: SendOptions | undefined): Exclude<Compression, 'none'> | undefined {
  const compression = options?.compression;
  return compression === 'none' ? undefined : compression;
}

/** Counts what Kafka acknowledged per topic; one pass over the messages of a request. */
function recordProduced(
  metrics: KafkaClientMetrics | undefined,
  messages: readonly OutgoingMessage[],
  seconds: number,
  failed: boolean,
): void {
  if (!metrics) return;
  const perTopic = new Map<string, { count: number; bytes: number }>();
  for (const message of messages) {
    let entry = perTopic.get(message.topic);
    if (!entry) {
      entry = { count: 0, bytes: 0 };
      perTopic.set(message.topic, entry);
    }
    entry.count++;
    entry.bytes += message.value === null ? 0 : Buffer.byteLength(message.value);
  }
  for (const [topic, { count, bytes }] of perTopic) {
    if (failed) {
      metrics.produceFailures.inc({ topic }, count);
      continue;
    }
    metrics.messagesProduced.inc({ topic }, count);
    // A failure series at 0 beside each topic, so an error ratio exists before the first error.
    metrics.produceFailures.inc({ topic }, 0);
    metrics.bytesProduced.inc({ topic }, bytes);
    metrics.produceLatency.observe({ topic }, seconds);
  }
}

/** What the client resolves a send to: the base offset of each partition's batch. */
interface SendResult {
  offsets?: { topic: string; partition: number; offset: bigint }[];
}

async function sendChunked(
  send: (messages: MessageToProduce[]) => Promise<unknown>,
  messages: readonly OutgoingMessage[],
): Promise<number[]> {
  const offsets: number[] = [];
  let chunk: MessageToProduce[] = [];
  const budget = new RequestBudget();
  const flush = async () => {
    const result = (await send(chunk)) as SendResult | undefined;
    // A partition's messages of one request are one batch, written at consecutive offsets.
    const next = new Map<string, number[]>();
    for (const { topic, partition, offset } of result?.offsets ?? []) {
      let partitions = next.get(topic);
      if (!partitions) {
        partitions = [];
        next.set(topic, partitions);
      }
      partitions[partition] = Number(offset);
    }
    for (const message of chunk) {
      const partitions = message.partition === undefined ? undefined : next.get(message.topic);
      const at = partitions?.[message.partition as number];
      offsets.push(at ?? -1);
      if (at !== undefined && partitions) partitions[message.partition as number] = at + 1;
    }
    chunk = [];
    budget.clear();
  };
  for (const message of messages) {
    const size = RECORD_OVERHEAD_BYTES + (message.value?.length ?? 0) + (message.key?.length ?? 0);
    if (!budget.empty && !budget.fits(message.topic, message.partition, size)) await flush();
    chunk.push(toClientMessage(message));
    budget.add(message.topic, message.partition, size);
  }
  if (chunk.length > 0) await flush();
  return offsets;
}

export function createKafkaClient(
  config: KafkaConfig,
  logger: Logger,
  options: KafkaClientOptions = {},
): KafkaClient {
  const retry = options.retry ?? defaultRetry;
  const log = logger.child({ component: 'kafka' });
  const base: BaseOptions = {
    clientId: config.clientId,
    bootstrapBrokers: [...config.brokers],
    connectTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // Also the transaction timeout: a killed producer's open transaction is aborted after this.
    timeout: TRANSACTION_TIMEOUT_MS,
    retries: options.clientRetries ?? 10,
    retryDelay: retryDelayMs,
    ...(config.ssl ? { tls: {} } : {}),
    ...(config.sasl.mechanism === 'none'
      ? {}
      : {
          sasl: {
            mechanism: SASL_MECHANISM[config.sasl.mechanism],
            username: config.sasl.username,
            password: config.sasl.password,
          } satisfies SASLOptions,
        }),
  };

  let admin: Admin | undefined;
  const connectedAdmin = async (): Promise<Admin> => {
    if (!admin) {
      const created = new Admin(base);
      try {
        await created.metadata({ topics: [] });
      } catch (cause) {
        await created.close().catch(() => undefined);
        throw new SynfinError(
          'KAFKA_UNAVAILABLE',
          `cannot reach Kafka at ${config.brokers.join(',')} (kafka.brokers): ${String(cause)}`,
          { cause, retriable: true },
        );
      }
      admin = created;
    }
    return admin;
  };

  /**
   * Every topic's name. The client asks for the metadata of every partition and fails while any
   * has no leader — for a while after a broker restart that holds many topics, long past its own
   * retries — so the whole call is retried like any retriable broker error.
   */
  async function topicNames(): Promise<string[]> {
    const client = await connectedAdmin();
    return withRetry(() => client.listTopics(), retry);
  }

  async function waitForLeaders(topics: readonly string[]): Promise<void> {
    const client = await connectedAdmin();
    await withRetry(async () => {
      const metadata = await client.metadata({ topics: [...topics], forceUpdate: true });
      for (const topic of topics) {
        const partitions = metadata.topics.get(topic)?.partitions ?? [];
        if (partitions.length === 0 || partitions.some((p) => p.leader < 0)) {
          throw new SynfinError('TOPIC_MISSING', `${topic}: no leader yet`, { retriable: true });
        }
      }
    }, retry);
  }

  /** The broker coordinating a consumer group (key type 0: group). */
  async function groupCoordinator(groupId: string): Promise<number> {
    const [found] = await (await connectedAdmin()).findCoordinator({ keyType: 0, keys: [groupId] });
    if (!found)
      throw new SynfinError('KAFKA_UNAVAILABLE', `no coordinator for group ${groupId}`, { retriable: true });
    return found.nodeId;
  }

  const producer = (): KafkaProducer => {
    const client = new Producer({
      ...base,
      idempotent: true,
      acks: -1,
      partitioner: compatibilityPartitioner,
    });
    return {
      async send(messages, sendOptions) {
        const started = performance.now();
        const compression = compressionOf(sendOptions);
        try {
          await sendChunked(
            (chunk) => client.send(compression ? { messages: chunk, compression } : { messages: chunk }),
            messages,
          );
        } catch (error) {
          recordProduced(options.metrics, messages, 0, true);
          throw error;
        }
        recordProduced(options.metrics, messages, (performance.now() - started) / 1000, false);
      },
      close: () => client.close(true),
    };
  };

  /**
   * Every offset of a transaction in one TxnOffsetCommit request. The client's `addOffset` sends one
   * request per partition, one after another (calls at once are merged into the first one's request,
   * dropping the others' offsets), so a commit of 30 input partitions waited for 30 round trips.
   */
  async function commitTransactionOffsets(
    client: Producer,
    transactionalId: string,
    group: GroupMetadata,
    offsets: readonly PartitionOffset[],
  ): Promise<void> {
    const topics = new Map<
      string,
      { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number }[]
    >();
    for (const { topic, partition, offset } of offsets) {
      let partitions = topics.get(topic);
      if (!partitions) {
        partitions = [];
        topics.set(topic, partitions);
      }
      partitions.push({
        partitionIndex: partition,
        committedOffset: BigInt(offset),
        committedLeaderEpoch: -1,
      });
    }
    const request = [...topics].map(([name, partitions]) => ({ name, partitions }));
    let coordinator = group.coordinatorId;
    for (let attempt = 1; ; attempt++) {
      try {
        const broker = (await client.metadata({ topics: [] })).brokers.get(coordinator);
        if (!broker)
          throw new SynfinError('KAFKA_UNAVAILABLE', `no broker ${coordinator}`, { retriable: true });
        const connection = await promised<Connection>((done) => client[kGetConnection](broker, done));
        const api = await promised<API<unknown[], unknown>>((done) =>
          client[kGetApi]('TxnOffsetCommit', done),
        );
        await api.async(
          connection,
          transactionalId,
          group.groupId,
          client.producerId as bigint,
          client.producerEpoch as number,
          group.generationId,
          group.memberId,
          null,
          request,
        );
        return;
      } catch (error) {
        // A group that moved on is the caller's to handle; a coordinator loading or moving is waited for.
        if (isGroupMovedOn(error) || !isRetriableKafkaError(error) || attempt >= 20) throw error;
        if (kafkaErrorId(error) === 'NOT_COORDINATOR') coordinator = await groupCoordinator(group.groupId);
        await sleep(retryDelayMs(client, 'commit', attempt, 20, error as Error));
      }
    }
  }

  const transactionalProducer = (transactionalId: string): TransactionalProducer => {
    const client = new Producer({
      ...base,
      idempotent: true,
      acks: -1,
      transactionalId,
      partitioner: compatibilityPartitioner,
    });
    return {
      transactionalId,
      async init() {
        await afterPreviousTransaction(() => client.initIdempotentProducer({}));
      },
      async begin() {
        const transaction = await client.beginTransaction();
        const sent: OutgoingMessage[][] = [];
        let started = performance.now();
        return {
          async send(messages, sendOptions) {
            if (sent.length === 0) started = performance.now();
            const compression = compressionOf(sendOptions);
            const offsets = await sendChunked(
              (chunk) =>
                afterPreviousTransaction(() =>
                  transaction.send(compression ? { messages: chunk, compression } : { messages: chunk }),
                ),
              messages,
            );
            sent.push(messages as OutgoingMessage[]);
            return offsets;
          },
          async sendOffsets(group, offsets) {
            if (offsets.length === 0) return;
            if (group.coordinatorId < 0)
              group = { ...group, coordinatorId: await groupCoordinator(group.groupId) };
            await afterPreviousTransaction(() =>
              transaction.addConsumer({ groupId: group.groupId } as Consumer),
            );
            await commitTransactionOffsets(client, transactionalId, group, offsets);
          },
          async commit() {
            try {
              await afterPreviousTransaction(() => transaction.commit());
            } catch (error) {
              for (const messages of sent) recordProduced(options.metrics, messages, 0, true);
              throw error;
            }
            const seconds = (performance.now() - started) / 1000;
            for (const messages of sent) recordProduced(options.metrics, messages, seconds, false);
          },
          async abort() {
            await transaction.abort();
          },
        };
      },
      close: () => client.close(true),
    };
  };

  return {
    logger: log,
    config,
    async ensureTopics(specs) {
      const client = await connectedAdmin();
      const existing = new Set(await topicNames());
      const missing = specs.filter((spec) => !existing.has(spec.topic));
      if (missing.length === 0) return [];
      // One request per shape: the client takes partitions and configs per call.
      const shapes = new Map<string, TopicSpec[]>();
      for (const spec of missing) {
        const shape = JSON.stringify([spec.partitions, spec.configs ?? {}]);
        shapes.set(shape, [...(shapes.get(shape) ?? []), spec]);
      }
      for (const group of shapes.values()) {
        const [first] = group as [TopicSpec];
        await withRetry(async () => {
          try {
            await client.createTopics({
              topics: group.map((spec) => spec.topic),
              partitions: first.partitions,
              replicas: -1,
              configs: Object.entries(first.configs ?? {}).map(([name, value]) => ({ name, value })),
            });
          } catch (error) {
            // Created by someone else meanwhile (or by our own earlier attempt): that is the goal.
            if (kafkaErrorId(error) === 'TOPIC_ALREADY_EXISTS') return;
            throw error;
          }
        }, retry);
      }
      await waitForLeaders(missing.map((spec) => spec.topic));
      return missing.map((spec) => spec.topic);
    },
    async deleteTopics(topics) {
      const client = await connectedAdmin();
      const existing = new Set(await topicNames());
      const present = topics.filter((topic) => existing.has(topic));
      if (present.length > 0) await client.deleteTopics({ topics: present });
    },
    async listTopics() {
      return topicNames();
    },
    async describeCluster() {
      const metadata = await (await connectedAdmin()).metadata({ topics: [], forceUpdate: true });
      return {
        clusterId: metadata.id,
        brokers: metadata.brokers.size,
        controller: metadata.controllerId >= 0 ? metadata.controllerId : null,
      };
    },
    async groupOffsets(groupId, topic, offsetOptions = {}) {
      const client = await connectedAdmin();
      const partitions = (await this.partitionCount(topic)) ?? 0;
      const result = new Map<number, string>();
      for (let p = 0; p < partitions; p++) result.set(p, '-1');
      const request = {
        groups: [{ groupId, topics: [{ name: topic, partitionIndexes: [...result.keys()] }] }],
        requireStable: offsetOptions.stable === true,
      };
      // UNSTABLE_OFFSET_COMMIT (a transaction still deciding) is retriable: wait for it.
      const [group] = await withRetry(() => client.listConsumerGroupOffsets(request), retry);
      for (const entry of group?.topics ?? []) {
        for (const partition of entry.partitions) {
          result.set(partition.partitionIndex, String(partition.committedOffset));
        }
      }
      return result;
    },
    async topicOffsets(topic) {
      const client = await connectedAdmin();
      const partitions = (await this.partitionCount(topic)) ?? 0;
      const indexes = Array.from({ length: partitions }, (_, p) => p);
      const list = async (timestamp: bigint) =>
        client.listOffsets({
          // The high watermark: everything written, transactions still open or aborted included.
          isolationLevel: 0,
          topics: [
            { name: topic, partitions: indexes.map((partitionIndex) => ({ partitionIndex, timestamp })) },
          ],
        });
      const [earliest, latest] = await Promise.all([list(-2n), list(-1n)]);
      const result = new Map<number, { low: number; high: number }>();
      for (const p of earliest[0]?.partitions ?? [])
        result.set(p.partitionIndex, { low: Number(p.offset), high: 0 });
      for (const p of latest[0]?.partitions ?? []) {
        const entry = result.get(p.partitionIndex) ?? { low: 0, high: 0 };
        entry.high = Number(p.offset);
        result.set(p.partitionIndex, entry);
      }
      return result;
    },
    async partitionCount(topic) {
      const client = await connectedAdmin();
      if (!(await topicNames()).includes(topic)) return undefined;
      const metadata = await client.metadata({ topics: [topic], forceUpdate: true });
      return metadata.topics.get(topic)?.partitionsCount;
    },
    async deleteGroups(groupIds) {
      if (groupIds.length === 0) return;
      await (await connectedAdmin()).deleteGroups({ groups: [...groupIds] }).catch(() => undefined);
    },
    producer,
    transactionalProducer,
    rawConsumer(groupId, consumerOptions = {}) {
      return new Consumer({
        ...base,
        groupId,
        sessionTimeout: consumerOptions.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: consumerOptions.heartbeatIntervalMs ?? 1_000,
        rebalanceTimeout: consumerOptions.rebalanceTimeoutMs ?? 30_000,
        autocommit: false,
        partitionAssigner: copartitionedAssigner,
      });
    },
    async close() {
      await admin?.close();
      admin = undefined;
    },
  };
}

/** A callback-style call of the client as a promise. */
function promised<T>(call: (done: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    call((error, value) => (error ? reject(error) : resolve(value as T)));
  });
}
