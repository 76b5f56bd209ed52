/**
 * The one interface every sink implements. A sink owns a database: it migrates it, says how far
 * each topic partition has landed there, and writes batches. The runtime (runtime.ts) does the
 * rest — consuming, batching, retrying, dead-lettering — the same way for every sink.
 */
import type { AvroSchema } from '../../core/registry/codec.ts';
import type { AvroKind, RecordKind } from '../tables.ts';

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
  /** Bytes the record takes in its batch (its row, or a dead letter's payload). */
  bytes: number;
  /** The row in the sink's own format, encoded as the record was read; null for a dead letter. */
  row: Buffer | null;
  /**
   * The value as it was on the topic, kept only while the record has no row (a dead letter): once
   * its row is encoded it is dropped, since each value holds its whole fetch's buffer until the
   * batch lands. If the database then refuses the row, the value is read back from the topic.
   */
  payload: Buffer | null;
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
   * Encodes a decoded record into the row this sink writes, as it is read (after start()): a batch
   * then holds bytes rather than objects. Throws RowRejectedError for a value the table cannot hold.
   */
  encode(
    kind: AvroKind,
    value: Record<string, unknown>,
    topic: string,
    partition: number,
    offset: number,
  ): Buffer;
  /**
   * Optional: the same row straight from the wire-format value written under `schema` (id
   * `schemaId`), without decoding it; undefined when this sink cannot for that schema (the runtime
   * then decodes and calls encode). Throws MESSAGE_DECODE_FAILED or RowRejectedError like those.
   */
  transcode?(
    kind: AvroKind,
    schemaId: number,
    schema: AvroSchema,
    message: Buffer,
    topic: string,
    partition: number,
    offset: number,
  ): Buffer | undefined;
  /**
   * Lands the records (the per-topic position moves with the rows). Throws RowRejectedError when
   * the database refuses the data itself, anything else when it may work on a retry.
   */
  write(records: readonly SinkRecord[]): Promise<void>;
  close(): Promise<void>;
}
