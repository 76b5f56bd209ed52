/**
 * Where generated events go: batched into Kafka through the one Kafka module, with a bounded number
 * of batches in flight, so a slow broker slows the generator instead of filling memory.
 */
import {
  type Compression,
  compressionType,
  type IHeaders,
  type KafkaClient,
  type Producer,
} from '../../core/kafka/client.ts';

export interface KafkaSinkOptions {
  /** Messages per produce request. */
  batchMessages: number;
  /** Produce requests awaiting acknowledgement before `write` waits. */
  maxInFlight: number;
  compression: Compression;
  /**
   * The longest a buffered event waits for its batch to fill. A realtime run at a few hundred
   * events per second would otherwise hold its events until `batchMessages` accumulate.
   */
  lingerMs?: number;
}

export const DEFAULT_SINK_OPTIONS: KafkaSinkOptions = {
  batchMessages: 4000,
  maxInFlight: 4,
  compression: 'zstd',
  lingerMs: 20,
};

export interface EventSink {
  /**
   * Buffers one event. Returns a promise only when the caller must wait (too many batches in
   * flight): `const wait = sink.write(…); if (wait) await wait;` keeps the hot path free of awaits.
   */
  write(
    topic: string,
    key: string,
    value: Buffer,
    timestamp: number,
    headers?: IHeaders,
  ): Promise<void> | undefined;
  /** Sends what is buffered and waits for every acknowledgement: nothing half-written. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Messages Kafka acknowledged, per topic. */
  readonly acknowledged: ReadonlyMap<string, number>;
}

interface PendingMessage {
  key: string;
  value: Buffer;
  timestamp: string;
  headers?: IHeaders;
}

export async function kafkaEventSink(
  kafka: KafkaClient,
  options: KafkaSinkOptions = DEFAULT_SINK_OPTIONS,
): Promise<EventSink> {
  // Idempotent: a retried request is never written twice. kafkajs keeps one request in flight per
  // broker for it, so throughput comes from large batches, several queued.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const compression = compressionType(options.compression);
  const acknowledged = new Map<string, number>();
  let buffered = new Map<string, PendingMessage[]>();
  let bufferedCount = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  let linger: NodeJS.Timeout | undefined;
  const dispatch = () => {
    clearTimeout(linger);
    linger = undefined;
    if (bufferedCount === 0) return;
    const batch = buffered;
    buffered = new Map();
    bufferedCount = 0;
    const sending = producer
      .sendBatch({
        acks: -1,
        compression,
        topicMessages: [...batch].map(([topic, messages]) => ({ topic, messages })),
      })
      .then(() => {
        for (const [topic, messages] of batch)
          acknowledged.set(topic, (acknowledged.get(topic) ?? 0) + messages.length);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };

  const throwIfFailed = () => {
    if (failure !== undefined) throw failure;
  };

  const drainTo = async (limit: number) => {
    while (inFlight.size > limit) await Promise.race(inFlight);
    throwIfFailed();
  };

  const flush = async () => {
    dispatch();
    await Promise.all(inFlight);
    throwIfFailed();
  };

  return {
    acknowledged,
    write(topic, key, value, timestamp, headers) {
      throwIfFailed();
      let list = buffered.get(topic);
      if (!list) {
        list = [];
        buffered.set(topic, list);
      }
      list.push(
        headers
          ? { key, value, timestamp: String(timestamp), headers }
          : { key, value, timestamp: String(timestamp) },
      );
      bufferedCount += 1;
      if (bufferedCount < options.batchMessages) {
        linger ??= setTimeout(dispatch, options.lingerMs ?? DEFAULT_SINK_OPTIONS.lingerMs);
        return undefined;
      }
      dispatch();
      return inFlight.size >= options.maxInFlight ? drainTo(options.maxInFlight - 1) : undefined;
    },
    flush,
    async close() {
      try {
        await flush();
      } finally {
        await producer.disconnect();
      }
    },
  };
}
