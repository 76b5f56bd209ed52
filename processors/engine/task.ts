/**
 * The one interface a stage's per-partition task implements (like a Kafka Streams task): the
 * runtime feeds it decoded records of one partition of every input topic, and at each commit
 * writes what it produced, its changelog and its input offsets in one Kafka transaction: first the
 * records it reads back (`lookups`), then its output records, then its changelog, which may name
 * the offsets those records were written at.
 */
import { type ErrorCode, errorCodeOf } from '../../core/errors.ts';

export interface InputRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  /** The decoded value, or why it could not be decoded. */
  decoded: { ok: true; value: unknown } | { ok: false; error: Error };
}

export interface OutputRecord {
  topic: string;
  partition: number;
  key: string | null;
  value: Buffer | string;
  headers?: Record<string, string>;
}

/**
 * A compacted-topic entry: the latest value of a state key, or a tombstone. A task encodes its
 * values as it likes (binary or JSON text); read back, a value is the bytes it wrote.
 */
export interface ChangelogRecord {
  key: string;
  value: Buffer | string | null;
}

export interface TaskOutput {
  records: OutputRecord[];
  /** The next offset to consume, per input topic of this task's partition. */
  offsets: { topic: string; offset: number }[];
}

/** A committed record the task needs back before its next output. */
export interface RecordLookup {
  topic: string;
  partition: number;
  offset: number;
}

export interface StageTask {
  readonly partition: number;
  /** Rebuilds state from the changelog, oldest first (a later entry for a key wins). */
  restore(records: Iterable<ChangelogRecord>): void;
  process(records: readonly InputRecord[], nowMs: number): void;
  /** Wall-clock progress: lets an input that is caught up and silent stop holding events back. */
  tick(nowMs: number, caughtUp: (topic: string) => boolean): void;
  /** Records to read back before `takeOutput` (none when absent). */
  lookups?(): readonly RecordLookup[];
  /** The values of `lookups()`, in order (null: no such committed record any more). */
  resolve?(values: readonly (Buffer | null)[]): void;
  /** Everything produced since the last call, to be committed atomically with `takeChangelog`. */
  takeOutput(): TaskOutput;
  /** The changelog of this commit; `placed[i]` is the offset `takeOutput().records[i]` went to (-1: unknown). */
  takeChangelog(placed: readonly number[]): ChangelogRecord[];
  /** Sizes for the state gauges. */
  stateSize(): Record<string, number>;
}

/** An input record that decoded but is not what the stage accepts. */
export class InvalidRecordError extends Error {
  readonly code: ErrorCode = 'MESSAGE_DECODE_FAILED';
}

/** The dead letter of a record: its bytes as they came, the error and where it came from in headers. */
export function deadLetter(topic: string, record: InputRecord, error: Error): OutputRecord {
  return {
    topic,
    partition: record.partition,
    key: record.key,
    value: record.value ?? '',
    headers: {
      'synfin.error': error.message.slice(0, 1000),
      // The catalogue's code, as the sinks write theirs: one vocabulary in every dead-letter table.
      'synfin.error.class': errorCodeOf(error, 'MESSAGE_DECODE_FAILED'),
      'synfin.source.topic': record.topic,
      'synfin.source.partition': String(record.partition),
      'synfin.source.offset': String(record.offset),
    },
  };
}
