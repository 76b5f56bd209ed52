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

  it('spell dates and timestamps as toISOString does, and leave to the caller what it does not spell', () => {
    const w = new RowBuffer();
    const DAY = 86_400_000;
    // Every day of 1899–2101 (leap and century years), the ends of the four-digit years, and
    // timestamps at and around each day's edges, before and after the epoch.
    const days = [-719_528, -719_527, -1, 0, 1, 2_932_895, 2_932_896];
    for (let day = Math.floor(Date.UTC(1899, 0, 1) / DAY); day <= Date.UTC(2101, 11, 31) / DAY; day++)
      days.push(day);
    for (const day of days) {
      w.begin();
      expect(w.isoDate(day)).toBe(true);
      expect(w.end().toString()).toBe(new Date(day * DAY).toISOString().slice(0, 10));
      for (const ms of [day * DAY, day * DAY + 1, day * DAY + DAY - 1, day * DAY + 45_296_789]) {
        w.begin();
        expect(w.isoTimestamp(ms)).toBe(true);
        expect(w.end().toString()).toBe(new Date(ms).toISOString());
      }
    }
    w.begin();
    expect(w.isoDate(20_000, true)).toBe(true);
    expect([...w.end()]).toEqual([10, ...Buffer.from('2024-10-04')]);
    // Outside years 0–9999 or not whole: false, and nothing written.
    w.begin();
    for (const day of [-719_529, 2_932_897, 1.5, Number.NaN]) expect(w.isoDate(day)).toBe(false);
    for (const ms of [-719_529 * DAY, 2_932_897 * DAY, 0.5, Number.POSITIVE_INFINITY])
      expect(w.isoTimestamp(ms)).toBe(false);
    expect(w.end().length).toBe(0);
  });

  it('coalesce adjacent rows of a chunk into one slice, keep apart what is not adjacent, and skip records without a row', () => {
    const w = new RowBuffer(8);
    const rows: { row: Buffer | null }[] = [];
    for (const text of ['aaa', 'bbb', 'ccc', 'ddd']) {
      w.begin();
      w.ascii(text);
      rows.push({ row: w.end() });
    }
    const [a, b, c, d] = rows as [{ row: Buffer }, { row: Buffer }, { row: Buffer }, { row: Buffer }];
    expect(coalesce(rows).map(String)).toEqual(['aaabbb', 'cccddd']);
    expect(coalesce([a, c, b]).map(String)).toEqual(['aaa', 'ccc', 'bbb']);
    expect(coalesce([{ row: null }, a, { row: null }, b, c, { row: null }, d]).map(String)).toEqual([
      'aaabbb',
      'cccddd',
    ]);
    expect(coalesce([{ row: null }])).toEqual([]);
  });
});
