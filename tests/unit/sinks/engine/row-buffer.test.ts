import { describe, expect, it } from 'vitest';
import { coalesce, RowBuffer } from '../../../../sinks/engine/row-buffer.ts';

describe('row buffers', () => {
  it('keep every row whole when a chunk fills, and earlier rows unchanged', () => {
    const w = new RowBuffer(16);
    const rows: Buffer[] = [];
    for (let i = 0; i < 10; i++) {
      w.begin();
      w.ascii(`row-${i}-`);
      w.decimal(i * 1_000_003);
      rows.push(w.end());
    }
    expect(rows.map((r) => r.toString())).toEqual(
      Array.from({ length: 10 }, (_, i) => `row-${i}-${i * 1_000_003}`),
    );
    // A row longer than a chunk gets a chunk of its own.
    w.begin();
    w.ascii('x'.repeat(100));
    expect(w.end().toString()).toBe('x'.repeat(100));
    expect(rows[0]?.toString()).toBe('row-0-0');
  });

  it('write little-endian numbers, varints and length-prefixed UTF-8 as RowBinary does', () => {
    const w = new RowBuffer();
    w.begin();
    w.u32(0xdeadbeef);
    w.i64(-2);
    w.i64(2 ** 53 - 1);
    w.f64(1.5);
    w.varint(300);
    w.lengthPrefixed('ab');
    w.lengthPrefixed('é');
    w.lengthPrefixed('y'.repeat(200));
    const row = w.end();
    const expected = Buffer.alloc(4 + 8 + 8 + 8);
    expected.writeUInt32LE(0xdeadbeef, 0);
    expected.writeBigInt64LE(-2n, 4);
    expected.writeBigUInt64LE(2n ** 53n - 1n, 12);
    expected.writeDoubleLE(1.5, 20);
    expect(row.subarray(0, 28)).toEqual(expected);
    expect([...row.subarray(28, 30)]).toEqual([0xac, 0x02]);
    expect(row.subarray(30, 33)).toEqual(Buffer.from([2, 0x61, 0x62]));
    expect(row.subarray(33, 36)).toEqual(Buffer.from([2, 0xc3, 0xa9]));
    expect([...row.subarray(36, 38)]).toEqual([0xc8, 0x01]);
    expect(row.length).toBe(38 + 200);
  });

  it('write negative and large integers in decimal', () => {
    const w = new RowBuffer();
    for (const n of [0, 7, -7, 10, 99, 100, -1_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      w.begin();
      w.decimal(n);
      expect(w.end().toString()).toBe(String(n));
    }
  });

  it('coalesce adjacent rows of a chunk into one slice, and keep apart what is not adjacent', () => {
    const w = new RowBuffer(8);
    const rows: Buffer[] = [];
    for (const text of ['aaa', 'bbb', 'ccc', 'ddd']) {
      w.begin();
      w.ascii(text);
      rows.push(w.end());
    }
    const slices = coalesce(rows);
    expect(slices.map((s) => s.toString())).toEqual(['aaabbb', 'cccddd']);
    expect(coalesce([rows[0] as Buffer, rows[2] as Buffer, rows[1] as Buffer]).map(String)).toEqual([
      'aaa',
      'ccc',
      'bbb',
    ]);
  });
});
