/**
 * Records as Postgres COPY text: one line per row, tab-separated, `\N` for NULL, backslash escapes.
 * Each table's encoder is compiled once from its Avro columns and refuses, as the record is read,
 * what Postgres would refuse the whole COPY for: text holding NUL, a value of the wrong type.
 */
import { RowRejectedError } from '../../core/errors.ts';
import { type Column, epochMillis, isoDate, KAFKA_COLUMNS, KAFKA_POSITION } from '../columns.ts';
import { type CompiledField, compileRowEncoder, type RowEncoder } from '../engine/row-encoder.ts';

/** An array literal: `{"a","b\"c"}`, its elements quoted and escaped for the array parser. */
export function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((v) =>
    v === null ? 'NULL' : `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`,
  );
  return `{${items.join(',')}}`;
}

/** ISO 8601 of a decoded timestamp-millis, or null when it is not one. */
function isoTimestamp(value: unknown): string | null {
  const ms = epochMillis(value);
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

const NUMBER = 'if (typeof x !== "number") refuse($i, x);';

/** Statements writing a present `x` of `kind` as a COPY text field. */
const FIELD: Record<Column['kind'], string> = {
  string: 'if (typeof x !== "string" || !w.copyText(x)) refuse($i, x);',
  int: `if (!Number.isInteger(x)) refuse($i, x); w.decimal(x);`,
  long: `if (!Number.isSafeInteger(x)) refuse($i, x); w.decimal(x);`,
  // String() gives the shortest exact form; NaN and ±Infinity are spelt as Postgres reads them.
  double: `${NUMBER} w.ascii(String(x));`,
  float: `${NUMBER} w.ascii(String(x));`,
  boolean: 'w.u8(x ? 0x74 : 0x66);',
  // The writer spells a number in years 0–9999 itself; a Date or any other value takes the helper.
  timestamp: 'if (typeof x !== "number" || !w.isoTimestamp(x)) w.ascii(h.isoTimestamp(x) ?? refuse($i, x));',
  date: 'if (typeof x !== "number" || !w.isoDate(x)) w.ascii(h.isoDate(x) ?? refuse($i, x));',
  strings: 'if (!Array.isArray(x) || !w.copyText(h.arrayLiteral(x))) refuse($i, x);',
};

/** The statements of one field, its separator after it (tab, or newline for the last). */
function fieldCode(kind: Column['kind'], last: boolean): string {
  return `if (x == null) w.ascii(h.NULL); else { ${FIELD[kind]} }\nw.u8(${last ? 0x0a : 0x09});`;
}

export interface CopyTextTable {
  /** The COPY's column list, in line order. */
  columns: string[];
  encode: RowEncoder;
}

/** The COPY text encoder of a table: its Avro columns in order, then the Kafka position. */
export function copyTextTable(table: string, columns: readonly Column[]): CopyTextTable {
  const names = [...columns.map((c) => c.name), ...KAFKA_COLUMNS];
  const fields: CompiledField[] = [
    ...columns.map((c) => ({ source: { field: c.field }, code: fieldCode(c.kind, false) })),
    ...KAFKA_POSITION.map(({ kind, source }, i) => ({
      source: { kafka: source },
      code: fieldCode(kind, i === KAFKA_POSITION.length - 1),
    })),
  ];
  const refuse = (index: number, value: unknown): never => {
    const shown = JSON.stringify(value) ?? String(value);
    const reason = shown.includes('\\u0000')
      ? 'holds NUL (0x00), which Postgres text cannot store'
      : 'is not of the column type';
    throw new RowRejectedError('postgres', `${table}.${names[index]} ${reason}: ${shown}`);
  };
  return {
    columns: names,
    encode: compileRowEncoder(fields, refuse, { NULL: '\\N', isoDate, isoTimestamp, arrayLiteral }),
  };
}
