/**
 * Table columns derived from the Avro schemas, so a record maps onto a row by its schema rather
 * than by a hand-kept field list. The migrations hold the DDL itself (versioned, never generated
 * at run time); a unit test checks they cover every field of every schema.
 */
import type { AvroSchema } from '../core/registry/codec.ts';

export type ColumnKind =
  | 'string'
  | 'int'
  | 'long'
  | 'double'
  | 'float'
  | 'boolean'
  | 'timestamp'
  | 'date'
  | 'strings';

export interface Column {
  /** The Avro field name (camelCase). */
  field: string;
  /** The column name (snake_case). */
  name: string;
  kind: ColumnKind;
  nullable: boolean;
}

/** `customerTxCount1d` → `customer_tx_count_1d`, `threeDsResult` → `three_ds_result`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Za-z])(\d)/g, '$1_$2')
    .toLowerCase();
}

/** A field's type as a schema spells it (the shapes our schemas use). */
export type AvroType =
  | string
  | { type: string; logicalType?: string; items?: unknown; symbols?: string[] }
  | AvroType[];

function kindOf(type: AvroType, field: string): { kind: ColumnKind; nullable: boolean } {
  if (Array.isArray(type)) {
    const branches = type.filter((branch) => branch !== 'null');
    if (branches.length !== 1 || branches.length === type.length) {
      throw new TypeError(`${field}: only [null, T] unions map onto a column`);
    }
    return { kind: kindOf(branches[0] as AvroType, field).kind, nullable: true };
  }
  if (typeof type === 'object') {
    if (type.logicalType === 'timestamp-millis') return { kind: 'timestamp', nullable: false };
    if (type.logicalType === 'date') return { kind: 'date', nullable: false };
    if (type.type === 'enum') return { kind: 'string', nullable: false };
    if (type.type === 'array' && type.items === 'string') return { kind: 'strings', nullable: false };
    return kindOf(type.type, field);
  }
  const primitive: Record<string, ColumnKind> = {
    string: 'string',
    int: 'int',
    long: 'long',
    double: 'double',
    float: 'float',
    boolean: 'boolean',
  };
  const kind = primitive[type];
  if (!kind) throw new TypeError(`${field}: Avro type ${type} has no column mapping`);
  return { kind, nullable: false };
}

export function columnsOf(schema: AvroSchema): Column[] {
  const fields = schema.fields as { name: string; type: AvroType }[];
  return fields.map((f) => ({ field: f.name, name: snakeCase(f.name), ...kindOf(f.type, f.name) }));
}

/** Milliseconds since the epoch of a decoded timestamp-millis value (avsc may give a Date). */
export function epochMillis(value: unknown): number | null {
  if (value instanceof Date) return value.getTime();
  return typeof value === 'number' ? value : null;
}

/** `YYYY-MM-DD` of a decoded Avro `date` (days since the epoch, or a Date). */
export function isoDate(value: unknown): string | null {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value * 86_400_000 : null;
  return ms === null ? null : new Date(ms).toISOString().slice(0, 10);
}

/** The record's Kafka position, the last columns of every landed row (exactly-once positions). */
export const KAFKA_POSITION = [
  { name: 'kafka_topic', source: 'topic', kind: 'string' },
  { name: 'kafka_partition', source: 'partition', kind: 'int' },
  { name: 'kafka_offset', source: 'offset', kind: 'long' },
] as const satisfies readonly { name: string; source: string; kind: ColumnKind }[];

export const KAFKA_COLUMNS = KAFKA_POSITION.map((column) => column.name);
