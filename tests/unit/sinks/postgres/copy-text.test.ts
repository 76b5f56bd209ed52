import { describe, expect, it } from 'vitest';
import { RowRejectedError } from '../../../../core/errors.ts';
import type { Column } from '../../../../sinks/columns.ts';
import { RowBuffer } from '../../../../sinks/engine/row-buffer.ts';
import { copyTextTable } from '../../../../sinks/postgres/copy-text.ts';

const column = (field: string, kind: Column['kind']): Column => ({
  field,
  name: field,
  kind,
  nullable: true,
});

function line(columns: Column[], value: Record<string, unknown>): string {
  const table = copyTextTable('t', columns);
  const w = new RowBuffer(64);
  w.begin();
  table.encode(w, value, 'topic.a', 3, 1234567890123);
  return w.end().toString('utf8');
}

describe('postgres COPY text rows', () => {
  it('escapes what the format treats specially, writes NULL as \\N and ends with the Kafka position', () => {
    const columns = [
      column('s', 'string'),
      column('n', 'string'),
      column('b', 'boolean'),
      column('t', 'timestamp'),
      column('d', 'date'),
      column('a', 'strings'),
      column('i', 'long'),
      column('f', 'double'),
      column('u', 'string'),
    ];
    expect(
      line(columns, {
        s: 'a\tb\nc\\d\re',
        n: null,
        b: false,
        t: 1_700_000_000_123,
        d: 0,
        a: ['T1', 'a"b', 'c\\d'],
        i: -9_007_199_254_740_991,
        f: Number.NaN,
        u: 'Zoë\t€',
      }),
    ).toBe(
      [
        'a\\tb\\nc\\\\d\\re',
        '\\N',
        'f',
        '2023-11-14T22:13:20.123Z',
        '1970-01-01',
        '{"T1","a\\\\"b","c\\\\\\\\d"}',
        '-9007199254740991',
        'NaN',
        'Zoë\\t€',
        'topic.a',
        '3',
        '1234567890123\n',
      ].join('\t'),
    );
    expect(table().columns).toEqual(['s', 'kafka_topic', 'kafka_partition', 'kafka_offset']);
  });

  it('refuses text holding NUL and values of another type, naming the column', () => {
    expect(() => line([column('last', 'string')], { last: 'Nul\u0000Byte' })).toThrow(RowRejectedError);
    expect(() => line([column('last', 'string')], { last: 'Zoë\u0000' })).toThrow(/t\.last holds NUL/);
    expect(() => line([column('n', 'long')], { n: 1.5 })).toThrow(/t\.n is not of the column type: 1\.5/);
  });
});

function table() {
  return copyTextTable('t', [column('s', 'string')]);
}
