/**
 * Records as ClickHouse RowBinary, the server's cheapest input to parse (measured on 18.16: 363k
 * rows/s against 289k for TabSeparated). RowBinary carries no types, so each table's encoder is
 * compiled from the column types the server reports (`system.columns`) and refuses, before the
 * insert, a value its column cannot hold — TabSeparated left that to the server's parser.
 */
import { RowRejectedError } from '../../core/errors.ts';
import type { AvroSchema } from '../../core/registry/codec.ts';
import { type Column, epochMillis, isoDate, KAFKA_POSITION } from '../columns.ts';
import { type CompiledField, compileRowEncoder, type RowEncoder } from '../engine/row-encoder.ts';
import { avroTranscoder, type Transcode } from './avro-transcoder.ts';

/** Integer column types: their range and the writer of their width. */
const INTEGERS: Record<string, { min: number; max: number; write: string }> = {
  UInt8: { min: 0, max: 255, write: 'w.u8(x)' },
  UInt16: { min: 0, max: 65_535, write: 'w.u16(x)' },
  UInt32: { min: 0, max: 4_294_967_295, write: 'w.u32(x)' },
  UInt64: { min: 0, max: Number.MAX_SAFE_INTEGER, write: 'w.i64(x)' },
  Int8: { min: -128, max: 127, write: 'w.u8(x & 0xff)' },
  Int16: { min: -32_768, max: 32_767, write: 'w.u16(x & 0xffff)' },
  Int32: { min: -2_147_483_648, max: 2_147_483_647, write: 'w.u32(x >>> 0)' },
  Int64: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, write: 'w.i64(x)' },
};

/** The column a row field lands in: the Avro column (or a Kafka one) and the server's type. */
export interface TargetColumn {
  name: string;
  /** The Avro column kind, or the Kafka position's. */
  kind: Column['kind'];
  type: string;
}

/** Statements writing `x` as `type`: the value refused unless it fits. Missing is the type's zero. */
export function statement(kind: Column['kind'], type: string): string {
  const nullable = /^Nullable\((.+)\)$/.exec(type);
  if (nullable) return `if (x == null) w.u8(1); else { w.u8(0); ${statement(kind, nullable[1] as string)} }`;
  if (type === 'String' || type === 'LowCardinality(String)') {
    if (kind === 'date')
      return 'if (x == null) w.u8(0); else if (typeof x !== "number" || !w.isoDate(x, true)) w.lengthPrefixed(h.isoDate(x) ?? refuse($i, x));';
    if (kind !== 'string') throw new TypeError(`a ${kind} field has no RowBinary form as ${type}`);
    return 'if (typeof x === "string") w.lengthPrefixed(x); else if (x == null) w.u8(0); else refuse($i, x);';
  }
  if (type === 'Array(String)') {
    return `if (x == null) w.u8(0); else if (!Array.isArray(x)) refuse($i, x); else {
      w.varint(x.length); for (const item of x) w.lengthPrefixed(String(item)); }`;
  }
  if (type === 'Float64' || type === 'Float32') {
    const write = type === 'Float64' ? 'w.f64' : 'w.f32';
    return `if (typeof x === "number") ${write}(x); else if (x == null) ${write}(0); else refuse($i, x);`;
  }
  if (type === 'Date') return 'w.u16(x == null ? 0 : (h.days(x) ?? refuse($i, x)));';
  const integer = INTEGERS[type];
  if (!integer) throw new TypeError(`column type ${type} has no RowBinary writer`);
  const read =
    kind === 'timestamp'
      ? 'x = x == null ? 0 : (h.epochMillis(x) ?? refuse($i, x));'
      : kind === 'boolean'
        ? 'x = x ? 1 : 0;'
        : 'if (x == null) x = 0;';
  return `${read}
    if (!Number.isInteger(x) || x < ${integer.min} || x > ${integer.max}) refuse($i, x);
    ${integer.write};`;
}

/** Days since the epoch of a decoded Avro `date` (a number already, or a Date). */
export function days(value: unknown): number | null {
  if (value instanceof Date) return Math.floor(value.getTime() / 86_400_000);
  return typeof value === 'number' ? value : null;
}

export interface RowBinaryTable {
  /** The INSERT's column list, in row order. */
  columns: string[];
  encode: RowEncoder;
  /** The same rows straight from Avro of `writer`; undefined when its columns are not these. */
  transcoder(writer: AvroSchema): Transcode | undefined;
}

/**
 * The encoder of a table: its Avro columns in order, then the Kafka position, each as the server
 * types it (`types`: column name → type, from `system.columns`). A column the table lacks is an
 * error — unless `partial` (a table deliberately migrated only part way), when its field is left out.
 */
export function rowBinaryTable(
  table: string,
  columns: readonly Column[],
  serverTypes: ReadonlyMap<string, string>,
  partial = false,
): RowBinaryTable {
  const all: (TargetColumn & { source: CompiledField['source'] })[] = [
    ...columns.map((c) => ({
      name: c.kind === 'timestamp' ? `${c.name}_ms` : c.name,
      kind: c.kind,
      type: '',
      source: { field: c.field },
    })),
    ...KAFKA_POSITION.map(({ name, kind, source }) => ({ name, kind, type: '', source: { kafka: source } })),
  ];
  const targets = all.filter((target) => {
    const type = serverTypes.get(target.name);
    if (type === undefined && !partial)
      throw new TypeError(`clickhouse table ${table} has no column ${target.name}`);
    target.type = type ?? '';
    return type !== undefined;
  });
  const refuse = (index: number, value: unknown): never => {
    const target = targets[index] as TargetColumn;
    throw new RowRejectedError(
      'clickhouse',
      `${table}.${target.name} (${target.type}) cannot hold ${JSON.stringify(value) ?? String(value)}`,
    );
  };
  const names = targets.map((t) => t.name);
  const types = new Map(targets.map((t) => [t.name, t.type]));
  return {
    columns: names,
    transcoder: (writer) => avroTranscoder(writer, columns, names, types, refuse),
    encode: compileRowEncoder(
      targets.map((t) => ({ source: t.source, code: statement(t.kind, t.type) })),
      refuse,
      { isoDate, epochMillis, days },
    ),
  };
}
