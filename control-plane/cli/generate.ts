/**
 * `synfin generate`: a backfill written to files instead of Kafka — one file per event kind, as
 * JSON lines, CSV or Parquet. Streamed: events are written in chunks as they are generated
 * (Parquet: one row group per chunk), so memory stays flat however long the run.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { type ColumnSource, fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { EVENT_KINDS, loadSchema } from '../../producers/avro.ts';
import type { GeneratorConfig } from '../../producers/config.ts';
import { backfillEvents, type EventKind } from '../../producers/stream.ts';

export const FILE_FORMATS = ['jsonl', 'csv', 'parquet'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

const FILE_NAMES: Record<EventKind, string> = {
  customer: 'customers',
  merchant: 'merchants',
  transaction: 'transactions',
  label: 'fraud_labels',
};

type ColumnType = 'STRING' | 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'JSON';
interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

/** The columns of an event kind, from its Avro schema (nested values become JSON). */
export function columnsOf(kind: EventKind): Column[] {
  const schema = loadSchema(kind) as unknown as { fields: { name: string; type: unknown }[] };
  return schema.fields.map((field) => {
    const types = Array.isArray(field.type) ? field.type : [field.type];
    const nullable = types.includes('null');
    const type = types.find((t) => t !== 'null');
    const name = typeof type === 'string' ? type : (type as { type?: string }).type;
    const mapped: Record<string, ColumnType> = {
      string: 'STRING',
      enum: 'STRING',
      int: 'INT32',
      long: 'INT64',
      double: 'DOUBLE',
      float: 'DOUBLE',
      boolean: 'BOOLEAN',
    };
    return { name: field.name, type: mapped[name ?? ''] ?? 'JSON', nullable };
  });
}

interface RowFile {
  write(rows: readonly Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

async function writeChunk(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function closeStream(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

function jsonLines(file: string): RowFile {
  const stream = createWriteStream(file);
  return {
    write: (rows) => writeChunk(stream, rows.map((row) => `${JSON.stringify(row)}\n`).join('')),
    close: () => closeStream(stream),
  };
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; nested values as JSON. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(file: string, columns: readonly Column[]): RowFile {
  const stream = createWriteStream(file);
  let header = true;
  return {
    async write(rows) {
      const lines = rows.map((row) => columns.map((c) => csvCell(row[c.name])).join(','));
      if (header) lines.unshift(columns.map((c) => c.name).join(','));
      header = false;
      await writeChunk(stream, `${lines.join('\r\n')}\r\n`);
    },
    close: () => closeStream(stream),
  };
}

function parquetValue(column: Column, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.type === 'INT64') return BigInt(value as number);
  if (column.type === 'JSON') return value;
  return value;
}

function parquet(file: string, columns: readonly Column[]): RowFile {
  const source = (data: unknown[]): ColumnSource[] =>
    columns.map((column, i) => ({
      name: column.name,
      data: data[i] as unknown[],
      type: column.type,
      nullable: column.nullable,
    }));
  const writer = new ParquetWriter({
    writer: fileWriter(file),
    schema: schemaFromColumnData({ columnData: source(columns.map(() => [])) }),
  });
  return {
    async write(rows) {
      const data = columns.map((column) => rows.map((row) => parquetValue(column, row[column.name])));
      await writer.write({ columnData: source(data), rowGroupSize: rows.length });
    },
    async close() {
      await writer.finish();
    },
  };
}

function openFile(format: FileFormat, file: string, columns: readonly Column[]): RowFile {
  if (format === 'jsonl') return jsonLines(file);
  if (format === 'csv') return csv(file, columns);
  return parquet(file, columns);
}

/** Generates `config` as a backfill into `outDir`; returns the rows written per file. */
export async function generateFiles(
  config: GeneratorConfig,
  format: FileFormat,
  outDir: string,
  options: { chunkRows?: number; onProgress?: (written: Record<string, number>) => void } = {},
): Promise<{ files: Record<string, string>; rows: Record<string, number> }> {
  const chunkRows = options.chunkRows ?? 20_000;
  mkdirSync(outDir, { recursive: true });
  const files: Record<string, string> = {};
  const rows: Record<string, number> = {};
  const writers = new Map<EventKind, RowFile>();
  const pending = new Map<EventKind, Record<string, unknown>[]>();
  for (const kind of EVENT_KINDS) {
    const file = path.join(outDir, `${FILE_NAMES[kind]}.${format}`);
    files[FILE_NAMES[kind]] = file;
    rows[FILE_NAMES[kind]] = 0;
    writers.set(kind, openFile(format, file, columnsOf(kind)));
    pending.set(kind, []);
  }
  const flush = async (kind: EventKind) => {
    const chunk = pending.get(kind) as Record<string, unknown>[];
    if (chunk.length === 0) return;
    pending.set(kind, []);
    await writers.get(kind)?.write(chunk);
    rows[FILE_NAMES[kind]] = (rows[FILE_NAMES[kind]] ?? 0) + chunk.length;
  };
  for (const batch of backfillEvents({ ...config, mode: 'backfill' })) {
    for (const event of batch) {
      const chunk = pending.get(event.kind) as Record<string, unknown>[];
      chunk.push(event.value as unknown as Record<string, unknown>);
      if (chunk.length >= chunkRows) await flush(event.kind);
    }
    options.onProgress?.(rows);
  }
  for (const kind of EVENT_KINDS) {
    await flush(kind);
    await writers.get(kind)?.close();
  }
  return { files, rows };
}
