/**
 * A row encoder compiled once per table: straight-line code that reads each field by its constant
 * name and calls the format's writer for its column type. That is the shape V8 runs fastest — no
 * per-field closure, no keyed lookups with varying names, one inline cache per field — the way
 * avsc compiles its readers. Formats (RowBinary, COPY text) supply the statement per column.
 */
import type { RowBuffer } from './row-buffer.ts';

/** Encodes one record's fields, then its Kafka position, into the buffer's current row. */
export type RowEncoder = (
  w: RowBuffer,
  value: Record<string, unknown>,
  topic: string,
  partition: number,
  offset: number,
) => void;

/** Raises the refusal of field `index` holding `value`. */
export type Refuse = (index: number, value: unknown) => never;

export interface CompiledField {
  /** The Avro field read, or one of `topic`, `partition`, `offset` for the Kafka columns. */
  source: { field: string } | { kafka: 'topic' | 'partition' | 'offset' };
  /** Statements writing `x` (the field's value) with `w`; `refuse(i, x)` for a value that does not fit. */
  code: string;
}

/** Compiles the fields' statements into one function. `helpers` is visible to them as `h`. */
export function compileRowEncoder(
  fields: readonly CompiledField[],
  refuse: Refuse,
  helpers: Record<string, unknown>,
): RowEncoder {
  const body = fields
    .map((f, i) => {
      const read = 'field' in f.source ? `value[${JSON.stringify(f.source.field)}]` : f.source.kafka;
      return `x = ${read};\n${f.code.replaceAll('$i', String(i))}`;
    })
    .join('\n');
  // Field names come from our own schemas and are quoted with JSON.stringify, never spliced raw.
  const factory = new Function(
    'refuse',
    'h',
    `return function encodeRow(w, value, topic, partition, offset) {\nlet x;\n${body}\n};`,
  ) as (refuse: Refuse, h: Record<string, unknown>) => RowEncoder;
  return factory(refuse, helpers);
}
