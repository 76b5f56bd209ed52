/**
 * The one thin module every Kafka call of the project goes through. kafkajs has had no release since
 * 2023; keeping its types and quirks behind this file means a client swap is an edit here only.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import kafkajs, {
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type IHeaders,
  Kafka,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
  type ProducerConfig,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaConfig } from '../config/schema.ts';
import { SynfinError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { KafkaClientMetrics } from '../metrics.ts';
import { defaultRetry, type RetryPolicy, withRetry } from '../retry.ts';

export type { Admin, Consumer, IHeaders, Producer };

export type Compression = 'none' | 'gzip' | 'zstd';

// Member-expression exports of kafkajs' CommonJS index are invisible to ESM named imports.
const { CompressionCodecs, CompressionTypes } = kafkajs;
type CompressionTypes = kafkajs.CompressionTypes;

const zstdCompress = promisify(zlib.zstdCompress);
const zstdDecompress = promisify(zlib.zstdDecompress);

// kafkajs ships gzip only; Node's own zlib does zstd (Node 22.15+), so register it rather than
// pulling in a native codec package.
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: (encoder: { buffer: Buffer }) => zstdCompress(encoder.buffer),
  decompress: (buffer: Buffer) => zstdDecompress(buffer),
});

export function compressionType(compression: Compression): CompressionTypes {
  return compression === 'gzip'
    ? CompressionTypes.GZIP
    : compression === 'zstd'
      ? CompressionTypes.ZSTD
      : CompressionTypes.None;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Topic-level configs, e.g. { 'retention.ms': '604800000', 'cleanup.policy': 'compact' }. */
  configs?: Record<string, string>;
}

export interface KafkaClient {
  /** Creates the topics that are missing; existing topics are left as they are. Returns those created. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<string[]>;
  /** Deletes those of `topics` that exist. */
  deleteTopics(topics: readonly string[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Who answers: the cluster id, its brokers and the active controller. */
  describeCluster(): Promise<{ clusterId: string; brokers: number; controller: number | null }>;
  /** The committed offset of each partition of `topic` for `groupId` ('-1' where none). */
  groupOffsets(groupId: string, topic: string): Promise<Map<number, string>>;
  /** The first and next offsets of each partition of `topic`. */
  topicOffsets(topic: string): Promise<Map<number, { low: number; high: number }>>;
  /** How many partitions `topic` has; undefined when it does not exist. */
  partitionCount(topic: string): Promise<number | undefined>;
  /** Deletes consumer groups (those that exist and are empty). */
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  producer(config?: ProducerConfig): Producer;
  consumer(config: ConsumerConfig): Consumer;
  /** Disconnects the shared admin client; producers and consumers are closed by their owners. */
  close(): Promise<void>;
}

const PINO_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export interface KafkaClientOptions {
  retry?: RetryPolicy;
  /** Where produce counts, bytes and latency go; none when omitted. */
  metrics?: KafkaClientMetrics;
  /** kafkajs' own retries per request (its default when omitted); 0 for one-shot probes. */
  clientRetries?: number;
}

/** Counts what Kafka acknowledged, per topic, around a producer's `send` and `sendBatch`. */
function instrument(producer: Producer, metrics: KafkaClientMetrics): Producer {
  const record = (topic: string, messages: readonly { value: Buffer | string | null }[], seconds: number) => {
    let bytes = 0;
    for (const message of messages) bytes += message.value === null ? 0 : Buffer.byteLength(message.value);
    metrics.messagesProduced.inc({ topic }, messages.length);
    // A failure series at 0 beside each topic, so an error ratio exists before the first error.
    metrics.produceFailures.inc({ topic }, 0);
    metrics.bytesProduced.inc({ topic }, bytes);
    metrics.produceLatency.observe({ topic }, seconds);
  };
  const failed = (topic: string, messages: readonly unknown[]) =>
    metrics.produceFailures.inc({ topic }, messages.length);
  const send: Producer['send'] = async (batch) => {
    const started = performance.now();
    const result = await producer.send(batch).catch((error: unknown) => {
      failed(batch.topic, batch.messages);
      throw error;
    });
    record(batch.topic, batch.messages, (performance.now() - started) / 1000);
    return result;
  };
  const sendBatch: Producer['sendBatch'] = async (batch) => {
    const started = performance.now();
    const result = await producer.sendBatch(batch).catch((error: unknown) => {
      for (const { topic, messages } of batch.topicMessages ?? []) failed(topic, messages);
      throw error;
    });
    const seconds = (performance.now() - started) / 1000;
    for (const { topic, messages } of batch.topicMessages ?? []) record(topic, messages, seconds);
    return result;
  };
  return { ...producer, send, sendBatch };
}

export function createKafkaClient(
  config: KafkaConfig,
  logger: Logger,
  options: KafkaClientOptions = {},
): KafkaClient {
  const retry = options.retry ?? defaultRetry;
  const log = logger.child({ component: 'kafka' });
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    ssl: config.ssl,
    ...(config.sasl.mechanism === 'none'
      ? {}
      : {
          // kafkajs types SASL options as a union per mechanism; ours is one of its three.
          sasl: {
            mechanism: config.sasl.mechanism,
            username: config.sasl.username,
            password: config.sasl.password,
          } as SASLOptions,
        }),
    logLevel: logger.isLevelEnabled('warn') ? logLevel.WARN : logLevel.NOTHING,
    ...(options.clientRetries === undefined ? {} : { retry: { retries: options.clientRetries } }),
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[PINO_LEVEL[level] ?? 'info'](rest, message);
      },
  });

  let admin: Admin | undefined;
  const connectedAdmin = async (): Promise<Admin> => {
    if (!admin) {
      const created = kafka.admin();
      try {
        await created.connect();
      } catch (cause) {
        throw new SynfinError(
          'KAFKA_UNAVAILABLE',
          `cannot reach Kafka at ${config.brokers.join(',')} (kafka.brokers)`,
          {
            cause,
            retriable: true,
          },
        );
      }
      admin = created;
    }
    return admin;
  };

  return {
    async ensureTopics(specs) {
      const client = await connectedAdmin();
      const existing = new Set(await client.listTopics());
      const missing = specs.filter((spec) => !existing.has(spec.topic));
      if (missing.length === 0) return [];
      // Topic metadata and group coordinators settle a moment after creation; retry what is retriable.
      await withRetry(
        () =>
          client.createTopics({
            waitForLeaders: true,
            topics: missing.map((spec) => ({
              topic: spec.topic,
              numPartitions: spec.partitions,
              configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
            })),
          }),
        retry,
      );
      return missing.map((spec) => spec.topic);
    },
    async deleteTopics(topics) {
      const client = await connectedAdmin();
      const existing = new Set(await client.listTopics());
      const present = topics.filter((topic) => existing.has(topic));
      if (present.length > 0) await client.deleteTopics({ topics: present });
    },
    async listTopics() {
      return (await connectedAdmin()).listTopics();
    },
    async describeCluster() {
      const cluster = await (await connectedAdmin()).describeCluster();
      return {
        clusterId: cluster.clusterId,
        brokers: cluster.brokers.length,
        controller: cluster.controller,
      };
    },
    async groupOffsets(groupId, topic) {
      const [entry] = await (await connectedAdmin()).fetchOffsets({ groupId, topics: [topic] });
      return new Map((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
    },
    async topicOffsets(topic) {
      const offsets = await (await connectedAdmin()).fetchTopicOffsets(topic);
      return new Map(
        offsets.map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }] as const),
      );
    },
    async partitionCount(topic) {
      const client = await connectedAdmin();
      if (!(await client.listTopics()).includes(topic)) return undefined;
      const metadata = await client.fetchTopicMetadata({ topics: [topic] });
      return metadata.topics[0]?.partitions.length;
    },
    async deleteGroups(groupIds) {
      if (groupIds.length === 0) return;
      await (await connectedAdmin()).deleteGroups([...groupIds]).catch(() => undefined);
    },
    producer(producerConfig) {
      const producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        ...producerConfig,
      });
      return options.metrics ? instrument(producer, options.metrics) : producer;
    },
    consumer(consumerConfig) {
      return kafka.consumer(consumerConfig);
    },
    async close() {
      await admin?.disconnect();
      admin = undefined;
    },
  };
}
