import { describe, expect, it } from 'vitest';
import type { Migration } from '../../../core/migrations/runner.ts';
import { clickhouseMigrations } from '../../../sinks/clickhouse/migrations.ts';
import { columnsOf, isoDate, snakeCase } from '../../../sinks/columns.ts';
import { postgresMigrations } from '../../../sinks/postgres/migrations.ts';
import { POSTGRES_KINDS } from '../../../sinks/postgres/sink.ts';
import { type AvroKind, columnsOfKind, RECORD_KINDS, TABLES } from '../../../sinks/tables.ts';
import { CLICKHOUSE_TYPES } from '../../fixtures/clickhouse-types.ts';

const AVRO_KINDS = RECORD_KINDS.filter((kind): kind is AvroKind => kind !== 'deadLetters');

/** The column definitions of `table` across all migrations: CREATE TABLE bodies and added columns. */
function definitions(migrations: readonly Migration[], table: string): string {
  const parts: string[] = [];
  for (const migration of migrations) {
    for (const statement of migration.statements) {
      if (typeof statement !== 'string') {
        if (statement.addColumn.table === table)
          parts.push(
            `\n    ${statement.addColumn.column} ${statement.addColumn.type.replace(/ DEFAULT .*$/, '')},`,
          );
        continue;
      }
      // Postgres adds columns in plain SQL: `ALTER TABLE t ADD COLUMN IF NOT EXISTS c type [DEFAULT …]`.
      const added = new RegExp(
        `^ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS (\\w+) (.*?)(?: DEFAULT .*)?$`,
      ).exec(statement);
      if (added) parts.push(`\n    ${added[1]} ${added[2]},`);
      const create = new RegExp(`CREATE TABLE IF NOT EXISTS ${table} \\(([\\s\\S]*?)\\n  \\)`).exec(
        statement,
      );
      if (create) parts.push(create[1] as string);
    }
  }
  return parts.join('\n');
}

const POSTGRES_TYPES: Record<string, string> = {
  string: 'text',
  int: 'integer',
  long: 'bigint',
  double: 'double precision',
  float: 'real',
  boolean: 'boolean',
  date: 'date',
  strings: 'text\\[\\]',
  timestamp: 'timestamptz',
};

describe('columns from Avro', () => {
  it('names columns in snake_case, digits apart', () => {
    expect(snakeCase('customerTxCount1d')).toBe('customer_tx_count_1d');
    expect(snakeCase('threeDsResult')).toBe('three_ds_result');
    expect(snakeCase('cardLast4')).toBe('card_last_4');
    expect(snakeCase('transactionId')).toBe('transaction_id');
  });

  it('maps unions with null to nullable columns and refuses what has no column', () => {
    const columns = columnsOf({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'maybe', type: ['null', 'double'] },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'tags', type: { type: 'array', items: 'string' } },
      ],
    });
    expect(columns.map((c) => [c.name, c.kind, c.nullable])).toEqual([
      ['maybe', 'double', true],
      ['at', 'timestamp', false],
      ['tags', 'strings', false],
    ]);
    expect(() =>
      columnsOf({ type: 'record', name: 'R', fields: [{ name: 'm', type: { type: 'map', values: 'int' } }] }),
    ).toThrow(/m: Avro type map/);
  });

  it('writes Avro dates as ISO days, before 1970 too', () => {
    expect(isoDate(-3000)).toBe('1961-10-15');
    expect(isoDate(new Date(Date.UTC(2001, 1, 3)))).toBe('2001-02-03');
    expect(isoDate(null)).toBeNull();
  });
});

describe('migrations cover the schemas', () => {
  it.each(AVRO_KINDS)('clickhouse %s: a column of the right type for every field', (kind) => {
    const ddl = definitions(clickhouseMigrations, TABLES[kind]);
    for (const column of columnsOfKind(kind)) {
      const name = column.kind === 'timestamp' ? `${column.name}_ms` : column.name;
      const type = CLICKHOUSE_TYPES[column.kind] as string;
      const expected = column.nullable
        ? `Nullable\\(${type.replace(/[()]/g, '\\$&')}\\)`
        : type.replace(/[()]/g, '\\$&');
      expect(ddl, `${TABLES[kind]}.${name}`).toMatch(new RegExp(`\\n\\s*${name} ${expected},`));
    }
    expect(ddl).toMatch(/kafka_offset UInt64/);
  });

  it.each(POSTGRES_KINDS as AvroKind[])('postgres %s: a column of the right type for every field', (kind) => {
    const ddl = definitions(postgresMigrations, TABLES[kind]);
    for (const column of columnsOfKind(kind)) {
      const nullability = column.nullable ? '' : ' NOT NULL';
      expect(ddl, `${TABLES[kind]}.${column.name}`).toMatch(
        new RegExp(`\\n\\s*${column.name} ${POSTGRES_TYPES[column.kind]}${nullability},`),
      );
    }
  });

  it('numbers migrations upwards and never reuses a version', () => {
    for (const migrations of [clickhouseMigrations, postgresMigrations]) {
      const versions = migrations.map((m) => m.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size).toBe(versions.length);
    }
  });
});
