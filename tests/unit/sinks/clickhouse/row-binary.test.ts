import { describe, expect, it } from 'vitest';
import { RowRejectedError } from '../../../../core/errors.ts';
import { rowBinaryTable } from '../../../../sinks/clickhouse/row-binary.ts';
import type { Column } from '../../../../sinks/columns.ts';
import { RowBuffer } from '../../../../sinks/engine/row-buffer.ts';

const column = (field: string, name: string, kind: Column['kind'], nullable = false): Column => ({
  field,
  name,
  kind,
  nullable,
});
const KAFKA: [string, string][] = [
  ['kafka_topic', 'String'],
  ['kafka_partition', 'UInt32'],
  ['kafka_offset', 'UInt64'],
];

function encode(columns: Column[], types: [string, string][], value: Record<string, unknown>): Buffer {
  const table = rowBinaryTable('t', columns, new Map([...types, ...KAFKA]));
  const w = new RowBuffer();
  w.begin();
  table.encode(w, value, 'tp', 2, 5);
  return w.end();
}

/** The Kafka position's bytes: String 'tp', UInt32 2, UInt64 5. */
const POSITION = [2, 0x74, 0x70, 2, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0];

describe('clickhouse RowBinary rows', () => {
  it('encode each field as the server types its column, then the Kafka position', () => {
    const columns = [
      column('id', 'id', 'string'),
      column('at', 'at', 'timestamp'),
      column('amount', 'amount', 'long'),
      column('count', 'count', 'int'),
      column('flag', 'flag', 'boolean'),
      column('score', 'score', 'double', true),
      column('none', 'none', 'string', true),
      column('tags', 'tags', 'strings'),
      column('born', 'born', 'date'),
    ];
    const types: [string, string][] = [
      ['id', 'String'],
      ['at_ms', 'UInt64'],
      ['amount', 'Int64'],
      ['count', 'Int32'],
      ['flag', 'UInt8'],
      ['score', 'Nullable(Float64)'],
      ['none', 'Nullable(String)'],
      ['tags', 'Array(String)'],
      ['born', 'String'],
    ];
    const row = encode(columns, types, {
      id: 'T1',
      at: 1_700_000_000_123,
      amount: -5,
      count: -1,
      flag: true,
      score: 0.25,
      none: null,
      tags: ['a', 'bc'],
      born: -1,
    });
    const double = Buffer.alloc(8);
    double.writeDoubleLE(0.25);
    const at = Buffer.alloc(8);
    at.writeBigUInt64LE(1_700_000_000_123n);
    expect([...row]).toEqual([
      2,
      0x54,
      0x31,
      ...at,
      0xfb,
      ...Array(7).fill(0xff),
      0xff,
      0xff,
      0xff,
      0xff,
      1,
      0,
      ...double,
      1,
      2,
      1,
      0x61,
      2,
      0x62,
      0x63,
      10,
      ...Buffer.from('1969-12-31'),
      ...POSITION,
    ]);
    expect(rowBinaryTable('t', columns, new Map([...types, ...KAFKA])).columns).toEqual([
      'id',
      'at_ms',
      'amount',
      'count',
      'flag',
      'score',
      'none',
      'tags',
      'born',
      'kafka_topic',
      'kafka_partition',
      'kafka_offset',
    ]);
  });

  it("writes a field a record's schema lacks as its type's zero", () => {
    const row = encode(
      [column('added', 'added', 'string'), column('n', 'n', 'int')],
      [
        ['added', 'String'],
        ['n', 'Int32'],
      ],
      {},
    );
    expect([...row]).toEqual([0, 0, 0, 0, 0, ...POSITION]);
  });

  it('refuses a value its column cannot hold, naming table and column', () => {
    const time = [column('eventTime', 'event_time', 'timestamp')];
    const types: [string, string][] = [['event_time_ms', 'UInt64']];
    expect(() => encode(time, types, { eventTime: -1000 })).toThrow(RowRejectedError);
    expect(() => encode(time, types, { eventTime: -1000 })).toThrow(
      /t\.event_time_ms \(UInt64\) cannot hold -1000/,
    );
    const count = [column('n', 'n', 'int')];
    expect(() => encode(count, [['n', 'Int32']], { n: 2 ** 31 })).toThrow(/cannot hold 2147483648/);
    expect(() => encode(count, [['n', 'Int32']], { n: 'x' })).toThrow(/cannot hold "x"/);
  });

  it('will not build for a column the table lacks or a type it cannot write', () => {
    expect(() => rowBinaryTable('t', [column('a', 'a', 'string')], new Map(KAFKA))).toThrow(/no column a/);
    expect(() =>
      rowBinaryTable('t', [column('a', 'a', 'string')], new Map([['a', 'UUID'], ...KAFKA])),
    ).toThrow(/UUID has no RowBinary writer/);
    // A table migrated only part way on purpose: the fields it has no column for are left out.
    const partial = rowBinaryTable(
      't',
      [column('a', 'a', 'string'), column('b', 'b', 'int')],
      new Map([['b', 'Int32'], ...KAFKA]),
      true,
    );
    expect(partial.columns).toEqual(['b', 'kafka_topic', 'kafka_partition', 'kafka_offset']);
  });
});
