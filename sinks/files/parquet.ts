/**
 * A batch's rows (rows.ts JSON) as one Parquet file: every column typed from the kind's Avro
 * schema — INT64 timestamps in milliseconds (TIMESTAMP_MILLIS), DATE days, string lists as JSON —
 * and nullable where the schema's field is. Written with hyparquet-writer (pure JS, Snappy).
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Column, ColumnKind } from '../columns.ts';

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

const ELEMENTS: Record<ColumnKind, Omit<SchemaElement, 'name'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int: { type: 'INT32' },
  long: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  float: { type: 'FLOAT' },
  boolean: { type: 'BOOLEAN' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
  date: { type: 'INT32', converted_type: 'DATE' },
  strings: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
};

const DAY_MS = 86_400_000;

/** A row's JSON value as the column's Parquet value. */
function parquetValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'long') return BigInt(value as number);
  if (kind === 'timestamp') return BigInt(Date.parse(value as string));
  if (kind === 'date') return Date.parse(value as string) / DAY_MS;
  return value;
}

export function parquetFile(columns: readonly Column[], lines: readonly string[]): Uint8Array {
  const data = columns.map(() => new Array<unknown>(lines.length));
  for (let i = 0; i < lines.length; i++) {
    const row = JSON.parse(lines[i] as string) as Record<string, unknown>;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as Column;
      (data[c] as unknown[])[i] = parquetValue(column.kind, row[column.name]);
    }
  }
  const buffer = parquetWriteBuffer({
    columnData: columns.map((column, c) => ({
      name: column.name,
      data: data[c] as unknown[],
      nullable: column.nullable,
    })),
    schema: [
      { name: 'root', num_children: columns.length },
      ...columns.map(
        (column): SchemaElement => ({
          name: column.name,
          ...ELEMENTS[column.kind],
          repetition_type: column.nullable ? 'OPTIONAL' : 'REQUIRED',
        }),
      ),
    ],
  });
  return new Uint8Array(buffer);
}
