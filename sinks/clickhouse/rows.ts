/** Records as ClickHouse JSONEachRow rows, following the column mapping of columns.ts. */
import { epochMillis, isoDate } from '../columns.ts';
import type { SinkRecord } from '../engine/sink.ts';
import { type AvroKind, columnsOfKind } from '../tables.ts';

export type Row = Record<string, unknown>;
type Convert = (value: unknown) => unknown;

const converters: Record<string, Convert> = {
  timestamp: epochMillis,
  date: isoDate,
  // 18.16 reads booleans into UInt8 only as numbers in some paths; send 0/1 everywhere.
  boolean: (value) => (value === null || value === undefined ? null : value ? 1 : 0),
};

/** One function per kind, built once: the hot path walks a precomputed field list. */
export function rowWriter(kind: AvroKind): (record: SinkRecord) => Row {
  const fields = columnsOfKind(kind).map((column) => ({
    field: column.field,
    name: column.kind === 'timestamp' ? `${column.name}_ms` : column.name,
    convert: converters[column.kind],
  }));
  return (record) => {
    const value = record.value as Record<string, unknown>;
    const row: Row = {};
    for (const { field, name, convert } of fields) {
      const raw = value[field] ?? null;
      row[name] = convert ? convert(raw) : raw;
    }
    row.kafka_topic = record.topic;
    row.kafka_partition = record.partition;
    row.kafka_offset = record.offset;
    return row;
  };
}

export function deadLetterRow(record: SinkRecord, now: number): Row {
  const letter = record.deadLetter;
  if (!letter)
    throw new TypeError(`record ${record.topic}/${record.partition}/${record.offset} is not a dead letter`);
  return {
    received_ms: now,
    stage: letter.stage,
    error: letter.error,
    error_class: letter.errorClass,
    source_topic: letter.source.topic,
    source_partition: letter.source.partition,
    source_offset: letter.source.offset,
    payload_base64: letter.payload?.toString('base64') ?? '',
    kafka_topic: record.topic,
    kafka_partition: record.partition,
    kafka_offset: record.offset,
  };
}
