/**
 * Runs one sink as a Kafka consumer group: read, decode, batch by rows/bytes/time, land the batch
 * durably, then commit the offsets to Kafka. The database is the source of truth for progress —
 * each sink reads back how far every partition has landed (`Sink.positions`) and skips what it
 * already holds — so a crash anywhere, a rebalance or a database failure neither loses nor
 * duplicates a row. Kafka's committed offsets only spare re-reading.
 *
 * Backpressure: while a batch cannot be written the consumer does not read on (memory stays
 * bounded by one batch plus one fetch), and group membership is kept alive by heartbeats.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isProgrammingError, isSynfinError } from '../../core/errors.ts';
import type { KafkaClient } from '../../core/kafka/client.ts';
import type { Logger } from '../../core/logger.ts';
import { untilStopped } from '../../core/stage-process.ts';
import type { SinkMetrics } from '../metrics.ts';
import { type RecordKind, TABLES } from '../tables.ts';
import { Batcher, type BatchLimits } from './batcher.ts';
import { backoffMs, writeDurably } from './durable-write.ts';
import type { DeadLetterInfo, Sink, SinkRecord } from './sink.ts';

export interface SinkRunOptions {
  kafka: KafkaClient;
  logger: Logger;
  metrics: SinkMetrics;
  signal: AbortSignal;
  groupId: string;
  /** Topic → the kind of record it carries. */
  routes: ReadonlyMap<string, RecordKind>;
  /** Decodes a wire-format Avro value; throws when it cannot. */
  decode(value: Buffer): Promise<unknown>;
  batch: BatchLimits;
  retry: { minMs: number; maxMs: number };
  maxBytesPerPartition: number;
}

type Headers = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

function header(headers: Headers | undefined, name: string): string {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : first.toString();
}

/** A record of a processor's dead-letter topic: its provenance travels in headers. */
function processorDeadLetter(headers: Headers | undefined, payload: Buffer | null): DeadLetterInfo {
  return {
    stage: 'processor',
    error: header(headers, 'synfin.error'),
    errorClass: header(headers, 'synfin.error.class'),
    source: {
      topic: header(headers, 'synfin.source.topic'),
      partition: Number(header(headers, 'synfin.source.partition') || -1),
      offset: Number(header(headers, 'synfin.source.offset') || -1),
    },
    payload,
  };
}

/** A record that will never decode: thrown past the retry loop, then dead-lettered. */
class NotDecodable extends Error {
  readonly reason: unknown;
  constructor(reason: unknown) {
    super('not decodable');
    this.reason = reason;
  }
}

export async function runSink(sink: Sink, options: SinkRunOptions): Promise<void> {
  const { kafka, metrics, signal } = options;
  const log = options.logger.child({ stage: `sink-${sink.name}`, sink: sink.name });
  const labels = { sink: sink.name };
  // Series at 0 from the start: rate() and the alerts see a counter before its first increment.
  metrics.retries.inc(labels, 0);
  for (const reason of ['rejected', 'undecodable']) metrics.deadLetters.inc({ ...labels, reason }, 0);
  let heartbeat: (() => Promise<void>) | undefined;
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
  };

  /** A long outage says so at the first failure and every tenth retry, not at each one. */
  const retryLog = (attempt: number) =>
    attempt === 1 || attempt % 10 === 0 ? log.warn.bind(log) : log.debug.bind(log);

  /** Waits `ms` in slices, heartbeating, so a long outage does not cost the group membership. */
  async function pause(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!signal.aborted && Date.now() < until) {
      await sleep(Math.min(3000, until - Date.now()));
      await heartbeat?.().catch(() => undefined);
    }
  }

  /** Retries an operation against the database until it succeeds or the sink stops. */
  async function persist<T>(what: string, operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (isProgrammingError(error) || error instanceof NotDecodable || signal.aborted) throw error;
        const delay = backoffMs(attempt, options.retry);
        metrics.retries.inc(labels);
        retryLog(attempt)({ err: String(error), attempt, delayMs: delay }, `${what} failed, retrying`);
        await pause(delay);
      }
    }
  }

  await persist('start', () => sink.start());
  await waitForTopics();

  const batcher = new Batcher(options.batch);
  /** Per `topic|partition`: the next offset to accept (what is below is in the database or the batch). */
  const next = new Map<string, number>();
  const loadedTopics = new Set<string>();
  let resync = false;
  let lock: Promise<unknown> = Promise.resolve();
  const locked = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lock.then(work);
    lock = run.catch(() => undefined);
    return run;
  };

  async function waitForTopics(): Promise<void> {
    const wanted = [...options.routes.keys()];
    for (let round = 0; !signal.aborted; round++) {
      const existing = new Set(await persist('list topics', () => kafka.listTopics()));
      const missing = wanted.filter((topic) => !existing.has(topic));
      if (missing.length === 0) return;
      if (round % 10 === 0) log.info({ missing }, 'waiting for topics to be created');
      await sleep(1000);
    }
  }

  /**
   * Hands the current batch to the writer and returns once the *previous* batch has landed: one
   * batch is written while the next is read (the database and the decoding overlap), and batches
   * land strictly in order, which the positions rely on.
   */
  let landing: Promise<void> = Promise.resolve();
  async function flush(): Promise<void> {
    const records = batcher.take();
    metrics.bufferedRows.set(labels, 0);
    if (records.length === 0) return;
    const previous = landing;
    landing = previous.then(() => land(records));
    landing.catch(fail);
    await previous;
  }

  /** Flushes and waits until everything read has landed. */
  async function drain(): Promise<void> {
    await flush();
    await landing;
  }

  async function land(records: SinkRecord[]): Promise<void> {
    const started = performance.now();
    await writeDurably(sink, records, {
      retry: options.retry,
      signal,
      pause,
      onRetry: (error, attempt, delayMs) => {
        metrics.retries.inc(labels);
        retryLog(attempt)(
          { err: String(error), attempt, delayMs, rows: records.length },
          'write failed, retrying',
        );
      },
      onDeadLetter: (record, reason) => {
        metrics.deadLetters.inc({ ...labels, reason: 'rejected' });
        log.warn(
          { topic: record.topic, partition: record.partition, offset: record.offset, reason },
          'row rejected',
        );
      },
    });
    const now = Date.now();
    metrics.flushSeconds.observe(labels, (performance.now() - started) / 1000);
    metrics.batchRows.observe(labels, records.length);
    metrics.lastCommit.set(labels, now / 1000);
    const perTable = new Map<RecordKind, number>();
    const committed = new Map<string, { topic: string; partition: number; offset: number }>();
    let last: { topic: string; partition: number; offset: number } | undefined;
    for (const record of records) {
      perTable.set(record.kind, (perTable.get(record.kind) ?? 0) + 1);
      // Records of a partition come in runs: look the partition up once per run.
      if (last?.topic !== record.topic || last.partition !== record.partition) {
        const key = `${record.topic}|${record.partition}`;
        last = committed.get(key) ?? { topic: record.topic, partition: record.partition, offset: 0 };
        committed.set(key, last);
      }
      last.offset = Math.max(last.offset, record.offset + 1);
    }
    const latency = new Map<RecordKind, { observe(seconds: number): void }>();
    for (const [kind, rows] of perTable) {
      metrics.rowsWritten.inc({ ...labels, table: TABLES[kind] }, rows);
      latency.set(kind, metrics.endToEndSeconds.labels(sink.name, TABLES[kind]));
    }
    for (const record of records) latency.get(record.kind)?.observe((now - record.timestampMs) / 1000);
    // Only a hint for where to read from next: the database holds the truth.
    const offsets = [...committed.values()].map((c) => ({ ...c, offset: String(c.offset) }));
    await consumer.commitOffsets(offsets).catch((error: unknown) => {
      log.debug({ err: String(error) }, 'offset commit skipped');
    });
  }

  async function loadPositions(topic: string): Promise<void> {
    const positions = await persist(`read positions of ${topic}`, () => sink.positions(topic));
    for (const [partition, offset] of positions) {
      const key = `${topic}|${partition}`;
      next.set(key, Math.max(next.get(key) ?? 0, offset));
    }
    loadedTopics.add(topic);
  }

  async function whileBeating<T>(work: Promise<T>): Promise<T> {
    const timer = setInterval(() => void heartbeat?.().catch(() => undefined), 3000);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  const consumer = kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    maxBytesPerPartition: options.maxBytesPerPartition,
    // Short: a crashed instance's partitions move on after 10 s. Long writes heartbeat meanwhile.
    sessionTimeout: 10_000,
    heartbeatInterval: 3_000,
  });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    log.info({ assignment: event.payload.memberAssignment }, 'partitions assigned');
    // Another instance may have written our new partitions meanwhile: flush, then re-read positions.
    resync = true;
  });
  // After every batch read, including those holding only transaction markers, which kafkajs
  // consumes without calling eachBatch: a transactional topic ends in a marker, not in a record.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    metrics.lag.set(
      { ...labels, topic: payload.topic, partition: String(payload.partition) },
      Math.max(0, Number(payload.offsetLag)),
    );
  });
  // kafkajs restarts the consumer itself after a retriable crash (a coordinator still loading
  // right after a broker start); the rejoin that follows resyncs. Only a final crash stops us.
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) fail(event.payload.error);
  });

  /** The value decoded; a registry outage is not the record's fault: wait for it, never dead-letter. */
  async function decodeWaiting(value: Buffer): Promise<Record<string, unknown>> {
    try {
      return (await options.decode(value)) as Record<string, unknown>;
    } catch (error) {
      if (!(isSynfinError(error) && error.retriable)) throw error;
      return (await persist('schema lookup', async () => {
        try {
          return await options.decode(value);
        } catch (retry) {
          throw isSynfinError(retry) && retry.retriable ? retry : new NotDecodable(retry);
        }
      })) as Record<string, unknown>;
    }
  }

  async function toRecord(
    topic: string,
    partition: number,
    kind: RecordKind,
    message: { offset: string; timestamp: string; value: Buffer | null; headers?: unknown },
  ): Promise<SinkRecord> {
    const offset = Number(message.offset);
    const record: SinkRecord = {
      topic,
      partition,
      offset,
      kind,
      timestampMs: Number(message.timestamp),
      bytes: message.value?.length ?? 0,
      value: null,
    };
    if (kind === 'deadLetters') {
      record.deadLetter = processorDeadLetter(message.headers as Headers, message.value);
      return record;
    }
    try {
      if (message.value === null) throw new Error('record has no value');
      record.value = await decodeWaiting(message.value);
    } catch (failure) {
      const error = failure instanceof NotDecodable ? failure.reason : failure;
      metrics.deadLetters.inc({ ...labels, reason: 'undecodable' });
      record.kind = 'deadLetters';
      record.deadLetter = {
        stage: `sink-${sink.name}`,
        error: error instanceof Error ? error.message : String(error),
        errorClass: 'MESSAGE_DECODE_FAILED',
        source: { topic, partition, offset },
        payload: message.value,
      };
    }
    return record;
  }

  const ticker = setInterval(
    () => {
      if (batcher.due(Date.now())) void locked(flush).catch(fail);
    },
    Math.max(50, Math.min(250, Math.floor(options.batch.maxWaitMs / 4))),
  );

  await consumer.connect();
  try {
    for (const topic of options.routes.keys()) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat: beat, isStale }) => {
        heartbeat = beat;
        if (failure !== undefined || signal.aborted) return;
        const kind = options.routes.get(batch.topic) as RecordKind;
        const decoded = await Promise.all(
          batch.messages.map((message) => toRecord(batch.topic, batch.partition, kind, message)),
        );
        const topicLabels = { ...labels, topic: batch.topic };
        metrics.recordsConsumed.inc(topicLabels, decoded.length);
        await whileBeating(
          locked(async () => {
            if (resync) {
              await drain();
              next.clear();
              loadedTopics.clear();
              resync = false;
            }
            if (!loadedTopics.has(batch.topic)) await loadPositions(batch.topic);
            if (isStale()) return;
            const key = `${batch.topic}|${batch.partition}`;
            let skipped = 0;
            const now = Date.now();
            for (const record of decoded) {
              if (record.offset < (next.get(key) ?? 0)) {
                skipped++;
                continue;
              }
              batcher.add(record, now);
              next.set(key, record.offset + 1);
              if (batcher.full) await flush();
            }
            // Also at 0: the series exists from the first batch, for rate() and the dashboards.
            metrics.recordsSkipped.inc(topicLabels, skipped);
            metrics.bufferedRows.set(labels, batcher.size);
          }),
        );
        await beat().catch(() => undefined);
      },
    });
    await untilStopped(signal, () => failure !== undefined);
  } finally {
    clearInterval(ticker);
    await consumer.stop().catch(() => undefined);
    // Land what was read (best effort: unwritten records are read again after a restart).
    await locked(drain).catch((error: unknown) => log.warn({ err: String(error) }, 'final flush failed'));
    await consumer.disconnect().catch(() => undefined);
    await sink.close().catch(() => undefined);
  }
  if (failure !== undefined) throw failure;
}
