/**
 * Avro binary straight into RowBinary, without a decoded object in between: strings and enum
 * symbols are copied as bytes, doubles as their eight bytes, numbers checked exactly as the
 * decoded path checks them (row-binary.ts). Decoding was the larger half of the sink's work (avsc,
 * UTF-8 strings made only to be encoded again); see the sinks README.
 *
 * Only for a writer schema whose columns are the table encoder's own — the usual case, records
 * written with the schemas this release ships — so both paths write the same columns in the same
 * order and the same bytes. Records of any other writer schema take the decoded path.
 */
import { SynfinError } from '../../core/errors.ts';
import { type AvroSchema, WIRE_HEADER_BYTES } from '../../core/registry/codec.ts';
import { type AvroType, type Column, columnsOf, epochMillis, isoDate, KAFKA_POSITION } from '../columns.ts';
import { RowBuffer } from '../engine/row-buffer.ts';
import { days, statement } from './row-binary.ts';

/** Reads Avro's binary encoding from one message; the generated code moves `pos` itself. */
export class AvroReader {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  /** Item positions of the array being read (reused: no allocation per record). */
  private readonly items: number[] = [];

  /** A zig-zag varint long (int and long alike); exact up to 2^53. */
  long(): number {
    const buf = this.buf;
    let byte = buf[this.pos++] as number;
    let value = byte & 0x7f;
    let scale = 0x80;
    while (byte & 0x80) {
      if (scale > 2 ** 63) this.malformed('a varint longer than ten bytes');
      byte = buf[this.pos++] as number;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
    }
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  /** The byte length of the string (or bytes) that starts here, checked against the message. */
  length(): number {
    const length = this.long();
    if (length < 0 || this.pos + length > this.buf.length)
      this.malformed('a string past the end of the message');
    return length;
  }

  /** The position of `bytes` fixed-size bytes that start here (a double, a float), checked. */
  fixed(bytes: number): number {
    const at = this.pos;
    this.pos += bytes;
    if (this.pos > this.buf.length) this.malformed('truncated');
    return at;
  }

  /** An array of strings, written as RowBinary Array(String): its count, then each item. */
  strings(w: RowBuffer): void {
    const items = this.items;
    items.length = 0;
    for (let count = this.long(); count !== 0; count = this.long()) {
      if (count < 0) {
        count = -count;
        this.long(); // the block's size in bytes, which a reader may use to skip it
      }
      for (let i = 0; i < count; i++) {
        const length = this.length();
        items.push(this.pos, this.pos + length);
        this.pos += length;
      }
    }
    w.varint(items.length / 2);
    for (let i = 0; i < items.length; i += 2)
      w.bytesPrefixed(this.buf, items[i] as number, items[i + 1] as number);
  }

  /** The message read to its last byte, and not past it. */
  end(): void {
    if (this.pos !== this.buf.length)
      this.malformed(this.pos > this.buf.length ? 'truncated' : 'trailing bytes');
  }

  malformed(what: string): never {
    throw new SynfinError('MESSAGE_DECODE_FAILED', `cannot decode message: ${what}`);
  }
}

export type Transcode = (
  w: RowBuffer,
  message: Buffer,
  r: AvroReader,
  topic: string,
  partition: number,
  offset: number,
) => void;

/** Code writing a present value of Avro type `type` (no union) to a column of server type `target`. */
function present(type: AvroType, column: Column, target: string, enums: Buffer[][]): string {
  if (Array.isArray(type)) throw new TypeError(`${column.field}: nested unions are not transcoded`);
  const name = typeof type === 'string' ? type : type.type;
  const plain = target.replace(/^LowCardinality\((.+)\)$/, '$1');
  if (name === 'string' && plain === 'String')
    return 'n = r.length(); w.bytesPrefixed(message, r.pos, r.pos + n); r.pos += n;';
  if (name === 'enum' && plain === 'String' && typeof type === 'object') {
    enums.push((type.symbols ?? []).map((symbol) => prefixed(symbol)));
    return `n = r.long(); s = h.enums[${enums.length - 1}][n]; if (s === undefined) r.malformed("an enum index out of range"); w.copy(s, 0, s.length);`;
  }
  if (name === 'array' && plain === 'Array(String)') return 'r.strings(w);';
  if (name === 'double' && plain === 'Float64') return 'n = r.fixed(8); w.copy(message, n, n + 8);';
  const read: Record<string, string> = {
    int: 'x = r.long();',
    long: 'x = r.long();',
    boolean: 'x = message[r.pos++] === 1;',
    double: 'x = message.readDoubleLE(r.fixed(8));',
    float: 'x = message.readFloatLE(r.fixed(4));',
  };
  const code = read[name];
  if (code === undefined) throw new TypeError(`${column.field}: Avro ${name} is not transcoded to ${target}`);
  return `${code} ${statement(column.kind, plain)}`;
}

/** An enum symbol as RowBinary writes it (varint length, then UTF-8), built once. */
function prefixed(symbol: string): Buffer {
  const w = new RowBuffer(64);
  w.begin();
  w.lengthPrefixed(symbol);
  return w.end();
}

/** Code reading one writer field and writing its column. */
function fieldCode(type: AvroType, column: Column, target: string, enums: Buffer[][]): string {
  const nullable = /^Nullable\((.+)\)$/.exec(target);
  const inner = nullable ? (nullable[1] as string) : target;
  if (!Array.isArray(type)) return `${nullable ? 'w.u8(0); ' : ''}${present(type, column, inner, enums)}`;
  const none = type.indexOf('null');
  const some = type.findIndex((branch) => branch !== 'null');
  const value = present(type[some] as AvroType, column, inner, enums);
  // A null into a column that is not Nullable writes the type's zero, as the decoded path does.
  const absent = nullable ? 'w.u8(1);' : `x = null; ${statement(column.kind, inner)}`;
  return `n = r.long(); if (n === ${none}) { ${absent} } else if (n === ${some}) { ${nullable ? 'w.u8(0); ' : ''}${value} } else r.malformed("a union branch out of range");`;
}

/**
 * The transcoder of a writer schema into the table whose encoder writes `columns` as `types` and
 * names them `names` (in order, Kafka position last); undefined when the writer's columns differ.
 */
export function avroTranscoder(
  writer: AvroSchema,
  columns: readonly Column[],
  names: readonly string[],
  types: ReadonlyMap<string, string>,
  refuse: (index: number, value: unknown) => never,
): Transcode | undefined {
  let written: Column[];
  try {
    written = columnsOf(writer);
  } catch {
    return undefined;
  }
  const same = (a: Column, b: Column | undefined) =>
    b !== undefined &&
    a.field === b.field &&
    a.name === b.name &&
    a.kind === b.kind &&
    a.nullable === b.nullable;
  if (written.length !== columns.length || !written.every((c, i) => same(c, columns[i]))) return undefined;
  if (names.length !== columns.length + KAFKA_POSITION.length) return undefined;
  const fields = writer.fields as { name: string; type: AvroType }[];
  const enums: Buffer[][] = [];
  const body: string[] = [];
  fields.forEach((field, i) => {
    const type = types.get(names[i] as string) as string;
    body.push(fieldCode(field.type, columns[i] as Column, type, enums).replaceAll('$i', String(i)));
  });
  KAFKA_POSITION.forEach(({ source, kind }, k) => {
    const index = columns.length + k;
    const type = types.get(names[index] as string) as string;
    body.push(`x = ${source}; ${statement(kind, type)}`.replaceAll('$i', String(index)));
  });
  // Generated from our own schema's structure: field names never appear in the code.
  const factory = new Function(
    'refuse',
    'h',
    `return function transcode(w, message, r, topic, partition, offset) {
      let x; let n; let s;
      r.buf = message; r.pos = ${WIRE_HEADER_BYTES};
      ${body.join('\n')}
      r.end();
    };`,
  ) as (refuse: (index: number, value: unknown) => never, h: Record<string, unknown>) => Transcode;
  return factory(refuse, { enums, isoDate, epochMillis, days });
}
