import { describe, expect, it } from 'vitest';
import { SLAB_BYTES, type Slab, SlabReader, SlabWriter } from '../../../../producers/kafka/slab.ts';

function readAll(reader: SlabReader, slab: Slab) {
  const out: { topic: string; key: string; value: string; timestamp: number }[] = [];
  reader.open(slab);
  while (reader.next())
    out.push({
      topic: reader.topic,
      key: reader.key.toString('utf8'),
      value: reader.value.toString('hex'),
      timestamp: reader.timestamp,
    });
  return out;
}

describe('slab', () => {
  it('carries records across as written, topic names sent once across slabs', () => {
    const writer = new SlabWriter();
    const reader = new SlabReader();
    writer.add('a.transactions', 'C-1', Buffer.from([0, 0, 0, 0, 7, 1, 2]), 1_700_000_000_123);
    writer.add('a.labels', 'Ç-ü', Buffer.alloc(0), 0);
    const first = writer.take();
    expect(first.topics).toEqual([
      [0, 'a.transactions'],
      [1, 'a.labels'],
    ]);
    expect(readAll(reader, first)).toEqual([
      { topic: 'a.transactions', key: 'C-1', value: '00000000070102', timestamp: 1_700_000_000_123 },
      { topic: 'a.labels', key: 'Ç-ü', value: '', timestamp: 0 },
    ]);
    writer.add('a.labels', Buffer.from('C-2'), Buffer.from([9]), 5);
    const second = writer.take();
    // Known names are not sent again; the reader remembers them.
    expect(second.topics).toEqual([]);
    expect(readAll(reader, second)).toEqual([{ topic: 'a.labels', key: 'C-2', value: '09', timestamp: 5 }]);
  });

  it('fills a slab up to its size, and gives a larger record a slab of its own', () => {
    const writer = new SlabWriter();
    const value = Buffer.alloc(1000, 1);
    let written = 0;
    while (writer.fits(3, value.length)) {
      writer.add('t', 'key', value, written);
      written++;
    }
    expect(written).toBe(Math.floor(SLAB_BYTES / (15 + 3 + 1000)));
    // A full slab refuses a record rather than overrun.
    expect(() => writer.add('t', 'key', value, 0)).toThrow(RangeError);
    const full = writer.take();
    expect(full.records).toBe(written);
    const big = Buffer.alloc(SLAB_BYTES * 2, 2);
    writer.add('t', 'key', big, 1);
    const own = writer.take();
    const reader = new SlabReader();
    reader.open(full);
    let read = 0;
    while (reader.next()) read++;
    expect(read).toBe(written);
    reader.open(own);
    expect(reader.next()).toBe(true);
    expect(reader.value.equals(big)).toBe(true);
    expect(reader.next()).toBe(false);
  });

  it('refuses a key longer than its length field holds', () => {
    expect(() => new SlabWriter().add('t', 'k'.repeat(70_000), Buffer.alloc(1), 0)).toThrow(/65,535/);
  });
});
