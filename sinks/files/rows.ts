/**
 * A record as the files sink keeps it: one JSON object per row, snake_case columns from the
 * kind's Avro schema (columns.ts) then its Kafka position — ISO-8601 timestamps, `YYYY-MM-DD`
 * dates, so JSON lines read well as they are. Parquet files are built from the same rows, with
 * the columns typed (parquet.ts).
 */
import { type Column, epochMillis, isoDate, KAFKA_POSITION } from '../columns.ts';
import type { DeadLetterInfo } from '../engine/sink.ts';
import { type AvroKind, columnsOfKind } from '../tables.ts';

function cell(column: Column, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.kind === 'timestamp') {
    const ms = epochMillis(value);
    return ms === null ? null : new Date(ms).toISOString();
  }
  if (column.kind === 'date') return isoDate(value);
  return value;
}

/** The columns of a kind's files: its schema's, then kafka_topic, kafka_partition, kafka_offset. */
export function fileColumnsOf(kind: AvroKind): readonly Column[] {
  return [
    ...columnsOfKind(kind),
    ...KAFKA_POSITION.map((column) => ({
      field: column.source,
      name: column.name,
      kind: column.kind,
      nullable: false,
    })),
  ];
}

export function rowLine(
  columns: readonly Column[],
  value: Record<string, unknown>,
  topic: string,
  partition: number,
  offset: number,
): string {
  const row: Record<string, unknown> = {};
  const position: Record<string, unknown> = { topic, partition, offset };
  for (const column of columns) {
    row[column.name] = cell(column, column.field in position ? position[column.field] : value[column.field]);
  }
  return `${JSON.stringify(row)}\n`;
}

/** A dead letter's line: why, where from, and its bytes as they were on the topic (base64). */
export function deadLetterLine(
  letter: DeadLetterInfo,
  topic: string,
  partition: number,
  offset: number,
): string {
  return `${JSON.stringify({
    stage: letter.stage,
    error_class: letter.errorClass,
    error: letter.error,
    source_topic: letter.source.topic,
    source_partition: letter.source.partition,
    source_offset: letter.source.offset,
    payload_base64: letter.payload?.toString('base64') ?? null,
    kafka_topic: topic,
    kafka_partition: partition,
    kafka_offset: offset,
  })}\n`;
}
