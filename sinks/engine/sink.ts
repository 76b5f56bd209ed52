/**
 * The one interface every sink implements. A sink owns a database: it migrates it, says how far
 * each topic partition has landed there, and writes batches. The runtime (runtime.ts) does the
 * rest — consuming, batching, retrying, dead-lettering — the same way for every sink.
 */
import type { RecordKind } from '../tables.ts';

/** A record that failed on its way in: undecodable, refused by the database, or a processor's. */
export interface DeadLetterInfo {
  stage: string;
  error: string;
  errorClass: string;
  source: { topic: string; partition: number; offset: number };
  payload: Buffer | null;
}

export interface SinkRecord {
  topic: string;
  partition: number;
  offset: number;
  kind: RecordKind;
  /** The Kafka record timestamp (ms). */
  timestampMs: number;
  /** Value size in bytes, for batching by bytes. */
  bytes: number;
  /** The decoded Avro record; null for a dead letter. */
  value: Record<string, unknown> | null;
  deadLetter?: DeadLetterInfo;
}

export interface Sink {
  readonly name: string;
  /** The kinds of records this sink lands. */
  readonly kinds: readonly RecordKind[];
  /** Connects and applies migrations; retriable errors while the database is down. */
  start(): Promise<void>;
  /**
   * The next offset per partition of `topic` that the database does not hold yet. Writes keep it
   * exact: what is below it has landed, what is at or above has not.
   */
  positions(topic: string): Promise<Map<number, number>>;
  /**
   * Lands the records (the per-topic position moves with the rows). Throws RowRejectedError when
   * the database refuses the data itself, anything else when it may work on a retry.
   */
  write(records: readonly SinkRecord[]): Promise<void>;
  close(): Promise<void>;
}
