/**
 * Runs one sink on the consumer-group runtime: read, decode, batch by rows/bytes/time, land the
 * batch durably, then commit the offsets to Kafka. The database is the source of truth for
 * progress — at every assignment the sink reads back how far each partition has landed
 * (`Sink.positions`) and reading starts there — so a crash anywhere, a rebalance or a database
 * failure neither loses nor duplicates a row. Kafka's committed offsets are only for tooling.
 *
 * Backpressure: while a batch cannot be written the runtime does not fetch on (memory stays
 * bounded by the batch landing, the batches one fetch filled and the fetch ahead); heartbeats run
 * in the client, apart from the work.
 */
import { setImmediate as setImmediatePromise, setTimeout as sleep } from 'node:timers/promises';
import type { Consumer } from '@platformatic/kafka';
import type { HistogramSeries } from '../../core/bulk-histogram.ts';
import { isProgrammingError, isSynfinError, RowRejectedError } from '../../core/errors.ts';
import type { KafkaClient } from '../../core/kafka/client.ts';
import { type ConsumedRecord, recordAt } from '../../core/kafka/fetcher.ts';
import { GroupRuntime, partitionKey, type TopicPartition } from '../../core/kafka/group-runtime.ts';
import { type Logger, retryLog } from '../../core/logger.ts';
import type { RegistryCodec } from '../../core/registry/codec.ts';
import { lookupGroup } from '../../core/run-topology.ts';
import type { SinkMetrics } from '../metrics.ts';
import { type AvroKind, type RecordKind, TABLES } from '../tables.ts';
import { Batcher, type BatchLimits } from './batcher.ts';
import { asDeadLetter, backoffMs, writeDurably } from './durable-write.ts';
import type { DeadLetterInfo, Sink, SinkRecord } from './sink.ts';

export interface SinkRunOptions {
  kafka: KafkaClient;
  logger: Logger;
  metrics: SinkMetrics;
  signal: AbortSignal;
  groupId: string;
  /** Topic → the kind of record it carries. */
  routes: ReadonlyMap<string, RecordKind>;
  /** Decodes wire-format Avro values (decodeKnown first: no promise per record once schemas are known). */
  codec: Pick<RegistryCodec, 'decode' | 'decodeKnown' | 'knownSchema' | 'schemaIdOf'>;
  batch: BatchLimits;
  retry: { minMs: number; maxMs: number };
  maxBytesPerPartition: number;
  maxBytesPerFetch: number;
}

type Headers = ConsumedRecord['headers'];

/** Records decoded between two turns given to the event loop (~a millisecond's work). */
const YIELD_EVERY = 256;

function header(headers: Headers, name: string): string {
  for (const [key, value] of headers) if (key?.toString() === name) return value?.toString() ?? '';
  return '';
}

/** A record of a processor's dead-letter topic: its provenance travels in headers. */
function processorDeadLetter(headers: Headers, payload: Buffer | null): DeadLetterInfo {
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

  /** Waits `ms`, or less when the sink is stopped meanwhile. */
  async function pause(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!signal.aborted && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
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
        retryLog(log, attempt)({ err: String(error), attempt, delayMs: delay }, `${what} failed, retrying`);
        await pause(delay);
      }
    }
  }

  await persist('start', () => sink.start());
  await waitForTopics();

  const batcher = new Batcher(options.batch);
  /** Reads back the value of a record the database refused (see DurableWriteOptions.payloadOf). */
  let lookupClient: Consumer | undefined;
  let sinceYield = 0;
  /** Per partition: the next offset to accept (what is below is in the database or the batch). */
  const next = new Map<string, number>();
  const runtime = new GroupRuntime({
    kafka,
    groupId: options.groupId,
    topics: [...options.routes.keys()],
    logger: log,
    signal,
    tickMs: Math.max(50, Math.min(250, Math.floor(options.batch.maxWaitMs / 4))),
    // Every record of a fetch is parsed at once and lives until it is read: a small fetch keeps
    // that short-lived (collected young), however deep the backlog.
    fetch: {
      partitionMaxBytes: Math.min(options.maxBytesPerPartition, options.maxBytesPerFetch),
      maxBytes: options.maxBytesPerFetch,
    },
    onLag: (topic, partition, lag) =>
      lag === null
        ? metrics.lag.remove({ ...labels, topic, partition: String(partition) })
        : metrics.lag.set({ ...labels, topic, partition: String(partition) }, lag),
  });

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
   * Hands the current batch to the writer; what it returns settles once the *previous* batch has
   * landed. Batches land strictly in order, which the positions rely on.
   */
  let landing: Promise<void> = Promise.resolve();
  function handOff(): Promise<void> {
    const records = batcher.take();
    metrics.bufferedRows.set(labels, 0);
    if (records.length === 0) return Promise.resolve();
    const previous = landing;
    landing = previous.then(() => land(records));
    landing.catch((error: unknown) => runtime.fail(error));
    return previous;
  }

  /** Hands the batch over and waits for the one before: one is written while the next is read. */
  async function flush(): Promise<void> {
    await handOff();
  }

  /** Flushes and waits until everything read has landed. */
  async function drain(): Promise<void> {
    await flush();
    await landing;
  }

  function countRejected(record: SinkRecord, reason: string): void {
    metrics.deadLetters.inc({ ...labels, reason: 'rejected' });
    log.warn(
      { topic: record.topic, partition: record.partition, offset: record.offset, reason },
      'row rejected',
    );
  }

  async function land(records: SinkRecord[]): Promise<void> {
    const started = performance.now();
    await writeDurably(sink, records, {
      retry: options.retry,
      signal,
      pause,
      onRetry: (error, attempt, delayMs) => {
        metrics.retries.inc(labels);
        retryLog(log, attempt)(
          { err: String(error), attempt, delayMs, rows: records.length },
          'write failed, retrying',
        );
      },
      onDeadLetter: countRejected,
      payloadOf: (record) =>
        persist(`read back ${record.topic}:${record.partition}@${record.offset}`, async () => {
          lookupClient ??= kafka.rawConsumer(lookupGroup(options.groupId));
          return (await recordAt(lookupClient, record.topic, record.partition, record.offset))?.value ?? null;
        }),
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
        const key = partitionKey(record.topic, record.partition);
        last = committed.get(key) ?? { topic: record.topic, partition: record.partition, offset: 0 };
        committed.set(key, last);
      }
      last.offset = Math.max(last.offset, record.offset + 1);
    }
    const latency = new Map<RecordKind, HistogramSeries>();
    for (const [kind, rows] of perTable) {
      metrics.rowsWritten.inc({ ...labels, table: TABLES[kind] }, rows);
      latency.set(kind, metrics.endToEndSeconds.labels({ sink: sink.name, table: TABLES[kind] }));
    }
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as SinkRecord;
      latency.get(record.kind)?.observe((now - record.timestampMs) / 1000);
    }
    const offsets = [...committed.values()];
    runtime.committed(offsets);
    // Only for tooling (consumer-group lag): the database holds the truth.
    await runtime.commitOffsets(offsets).catch((error: unknown) => {
      log.debug({ err: String(error) }, 'offset commit skipped');
    });
  }

  /** The value decoded; a registry outage is not the record's fault: wait for it, never dead-letter. */
  async function decodeWaiting(value: Buffer): Promise<Record<string, unknown>> {
    try {
      return (await options.codec.decode(value)) as Record<string, unknown>;
    } catch (error) {
      if (!(isSynfinError(error) && error.retriable)) throw error;
      return (await persist('schema lookup', async () => {
        try {
          return await options.codec.decode(value);
        } catch (retry) {
          throw isSynfinError(retry) && retry.retriable ? retry : new NotDecodable(retry);
        }
      })) as Record<string, unknown>;
    }
  }

  /**
   * A consumed record as the batch keeps it: its row encoded by the sink, or a dead letter. Only a
   * schema not looked up yet makes this wait (once per schema id), so the loop stays synchronous.
   */
  function toRecord(
    topic: string,
    partition: number,
    kind: RecordKind,
    message: ConsumedRecord,
  ): SinkRecord | Promise<SinkRecord> {
    const record: SinkRecord = {
      topic,
      partition,
      offset: message.offset,
      kind,
      timestampMs: message.timestamp,
      bytes: message.value?.length ?? 0,
      row: null,
      payload: message.value,
    };
    if (kind === 'deadLetters') {
      record.deadLetter = processorDeadLetter(message.headers, message.value);
      return record;
    }
    let value: unknown;
    try {
      if (message.value === null) throw new Error('record has no value');
      if (sink.transcode !== undefined) {
        const id = options.codec.schemaIdOf(message.value);
        const schema = options.codec.knownSchema(id);
        const row =
          schema === undefined
            ? undefined
            : sink.transcode(kind as AvroKind, id, schema, message.value, topic, partition, message.offset);
        if (row !== undefined) {
          record.row = row;
          record.bytes = row.length;
          record.payload = null;
          return record;
        }
      }
      value = options.codec.decodeKnown(message.value);
    } catch (error) {
      if (isProgrammingError(error)) throw error;
      if (error instanceof RowRejectedError) return rejected(record, error);
      return undecodable(record, error);
    }
    if (value === undefined) {
      return decodeWaiting(message.value).then(
        (decoded) => encoded(record, kind as AvroKind, decoded),
        (error: unknown) => undecodable(record, error instanceof NotDecodable ? error.reason : error),
      );
    }
    return encoded(record, kind as AvroKind, value as Record<string, unknown>);
  }

  function encoded(record: SinkRecord, kind: AvroKind, value: Record<string, unknown>): SinkRecord {
    try {
      record.row = sink.encode(kind, value, record.topic, record.partition, record.offset);
      record.bytes = record.row.length;
      record.payload = null;
    } catch (error) {
      if (!(error instanceof RowRejectedError)) throw error;
      return rejected(record, error);
    }
    return record;
  }

  function rejected(record: SinkRecord, error: RowRejectedError): SinkRecord {
    countRejected(record, error.message);
    return asDeadLetter(sink.name, record, error.message, 'SINK_ROW_REJECTED');
  }

  function undecodable(record: SinkRecord, error: unknown): SinkRecord {
    metrics.deadLetters.inc({ ...labels, reason: 'undecodable' });
    const reason = error instanceof Error ? error.message : String(error);
    return asDeadLetter(sink.name, record, reason, 'MESSAGE_DECODE_FAILED');
  }

  await runtime.run({
    async assigned(partitions: readonly TopicPartition[]) {
      // Another instance may have written our new partitions meanwhile: land what we hold, then
      // read every position back from the database and start reading there.
      await drain();
      next.clear();
      for (const topic of new Set(partitions.map((p) => p.topic))) {
        const positions = await persist(`read positions of ${topic}`, () => sink.positions(topic));
        for (const { partition } of partitions.filter((p) => p.topic === topic)) {
          next.set(partitionKey(topic, partition), positions.get(partition) ?? 0);
        }
      }
      return next;
    },
    async records(batches) {
      const now = Date.now();
      /** Settles once the batch before the last one this fetch filled has landed. */
      let handedOff: Promise<void> | undefined;
      for (const batch of batches) {
        if (batch.records.length === 0) continue;
        const kind = options.routes.get(batch.topic) as RecordKind;
        const key = partitionKey(batch.topic, batch.partition);
        const topicLabels = { ...labels, topic: batch.topic };
        metrics.recordsConsumed.inc(topicLabels, batch.records.length);
        let skipped = 0;
        // Handlers run one at a time (no assignment meanwhile): the floor is read once per batch.
        let floor = next.get(key) ?? 0;
        for (const message of batch.records) {
          if (message.offset < floor) {
            skipped++;
            continue;
          }
          const read = toRecord(batch.topic, batch.partition, kind, message);
          batcher.add(read instanceof Promise ? await read : read, now);
          floor = message.offset + 1;
          if (batcher.full) handedOff = handOff();
          // Decoding is synchronous: give the event loop a turn now and then, so the batch being
          // written meanwhile (its request body, the database's answers) keeps moving.
          else if (++sinceYield === YIELD_EVERY) {
            sinceYield = 0;
            await setImmediatePromise();
          }
        }
        next.set(key, floor);
        // Also at 0: the series exists from the first batch, for rate() and the dashboards.
        metrics.recordsSkipped.inc(topicLabels, skipped);
      }
      metrics.bufferedRows.set(labels, batcher.size);
      // Batches filled by this fetch were handed over without waiting; the wait for the landing
      // before the last of them is here, once the fetch is read: waiting in the middle of a fetch
      // kept its records alive past young collections, promoted with the buffers they view.
      // Paired bench runs (flushing at the end of the fetch): ClickHouse 141–145k → 149–153k rows/s.
      if (handedOff !== undefined) await handedOff;
    },
    async tick(now) {
      if (batcher.due(now)) await flush();
    },
    async close() {
      // Land what was read (best effort: unwritten records are read again after a restart).
      if (!runtime.failed)
        await drain().catch((error: unknown) => log.warn({ err: String(error) }, 'final flush failed'));
      await sink.close().catch(() => undefined);
      await lookupClient?.close(true).catch(() => undefined);
    },
  });
}
