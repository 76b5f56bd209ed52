/**
 * Writing a batch so that it lands exactly once whatever the database does: a refused batch is
 * split until the refused row is alone and dead-lettered; any other failure is retried with
 * backoff, first dropping what the database reports it already holds (a write can fail after it
 * landed — the connection died on the way back).
 */
import { isProgrammingError, RowRejectedError } from '../../core/errors.ts';
import type { Sink, SinkRecord } from './sink.ts';

export interface DurableWriteOptions {
  retry: { minMs: number; maxMs: number };
  signal: AbortSignal;
  /** Waits `ms`, keeping the consumer's group membership alive meanwhile. */
  pause(ms: number): Promise<void>;
  onRetry(error: unknown, attempt: number, delayMs: number): void;
  onDeadLetter(record: SinkRecord, reason: string): void;
  /**
   * The value of a refused record as it is on its topic, for its dead letter. A batch does not keep
   * the values of rows that encoded (each would hold its whole fetch in memory until the batch
   * lands); the rare record the database refuses is read back.
   */
  payloadOf(record: SinkRecord): Promise<Buffer | null>;
}

export function backoffMs(attempt: number, retry: { minMs: number; maxMs: number }): number {
  const ceiling = Math.min(retry.maxMs, retry.minMs * 2 ** Math.min(attempt - 1, 20));
  // Full jitter over the upper half, so instances restarting together do not retry in step.
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** The dead letter of a record this sink could not land: its reason, and its bytes as on the topic. */
export function asDeadLetter(
  sink: string,
  record: SinkRecord,
  reason: string,
  errorClass: 'SINK_ROW_REJECTED' | 'MESSAGE_DECODE_FAILED',
  payload: Buffer | null = record.payload,
): SinkRecord {
  return {
    ...record,
    kind: 'deadLetters',
    row: null,
    bytes: payload?.length ?? 0,
    payload,
    deadLetter: {
      stage: `sink-${sink}`,
      error: reason,
      errorClass,
      source: { topic: record.topic, partition: record.partition, offset: record.offset },
      payload,
    },
  };
}

/** Records at or above the database's position for their partition: those not landed yet. */
async function notLanded(sink: Sink, records: readonly SinkRecord[]): Promise<SinkRecord[]> {
  const positions = new Map<string, Map<number, number>>();
  for (const topic of new Set(records.map((r) => r.topic))) positions.set(topic, await sink.positions(topic));
  return records.filter((r) => r.offset >= (positions.get(r.topic)?.get(r.partition) ?? 0));
}

async function writeSplitting(
  sink: Sink,
  records: readonly SinkRecord[],
  options: DurableWriteOptions,
): Promise<void> {
  try {
    await sink.write(records);
  } catch (error) {
    if (!(error instanceof RowRejectedError)) throw error;
    if (records.length === 1) {
      const record = records[0] as SinkRecord;
      const payload = record.payload ?? (await options.payloadOf(record));
      await sink.write([asDeadLetter(sink.name, record, error.message, 'SINK_ROW_REJECTED', payload)]);
      options.onDeadLetter(record, error.message);
      return;
    }
    // A refused write may have landed part of the batch (ClickHouse writes one table after
    // another): go on with what is not in the database yet.
    const remaining = await notLanded(sink, records);
    if (remaining.length === 0) return;
    if (remaining.length < records.length) {
      await writeSplitting(sink, remaining, options);
      return;
    }
    // Halves of an array hold a prefix of every partition's records, so each sub-write keeps the
    // database's position exact.
    const middle = Math.ceil(records.length / 2);
    await writeSplitting(sink, records.slice(0, middle), options);
    await writeSplitting(sink, records.slice(middle), options);
  }
}

export async function writeDurably(
  sink: Sink,
  records: readonly SinkRecord[],
  options: DurableWriteOptions,
): Promise<void> {
  let pending = records;
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1) pending = await notLanded(sink, pending);
      if (pending.length > 0) await writeSplitting(sink, pending, options);
      return;
    } catch (error) {
      if (isProgrammingError(error) || options.signal.aborted) throw error;
      const delay = backoffMs(attempt, options.retry);
      options.onRetry(error, attempt, delay);
      await options.pause(delay);
    }
  }
}
