/**
 * Where generated events go: batched into Kafka through the one Kafka module, with a bounded number
 * of batches in flight, so a slow broker slows the generator instead of filling memory.
 */
import type { Compression, KafkaClient, KafkaProducer, OutgoingMessage } from '../../core/kafka/client.ts';

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
   * Buffers one event. The threaded sink copies `value` (the caller may reuse it once this
   * returns); the in-thread sink keeps it until Kafka has it. Returns a promise
   * only when the caller must wait (too much in flight): `const wait = sink.write(…); if (wait)
   * await wait;` keeps the hot path free of awaits.
   */
  write(topic: string, key: string | Buffer, value: Buffer, timestamp: number): Promise<void> | undefined;
  /** Sends what is buffered and waits for every acknowledgement: nothing half-written. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function kafkaEventSink(
  kafka: KafkaClient,
  options: KafkaSinkOptions = DEFAULT_SINK_OPTIONS,
): Promise<EventSink> {
  // Idempotent: a retried request is never written twice. Requests go out one after another (the
  // next batch fills meanwhile): an idempotent producer's sequence numbers must reach the broker in
  // the order they were assigned, and sends racing each other cannot promise that.
  const producer: KafkaProducer = kafka.producer();
  const sendOptions = { compression: options.compression };
  let buffered: OutgoingMessage[] = [];
  const inFlight = new Set<Promise<void>>();
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;

  let linger: NodeJS.Timeout | undefined;
  const dispatch = () => {
    clearTimeout(linger);
    linger = undefined;
    if (buffered.length === 0) return;
    const batch = buffered;
    buffered = [];
    const sending = chain
      .then(() => (failure === undefined ? producer.send(batch, sendOptions) : undefined))
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(sending));
    chain = sending;
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
    write(topic, key, value, timestamp) {
      throwIfFailed();
      buffered.push({ topic, key, value, timestamp });
      if (buffered.length < options.batchMessages) {
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
        await producer.close();
      }
    },
  };
}
