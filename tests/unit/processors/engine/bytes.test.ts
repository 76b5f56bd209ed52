import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../../../processors/engine/bytes.ts';

describe('the byte writer', () => {
  it('grows for a large block and gives the room back once blocks are small again', () => {
    const writer = new ByteWriter(1024);
    for (let i = 0; i < 10_000; i++) writer.f64(i);
    const large = writer.take();
    expect(large.length).toBe(80_000);
    expect(writer.capacity).toBeGreaterThanOrEqual(80_000);
    writer.string('small');
    const small = writer.take();
    expect(writer.capacity).toBe(1024);
    // What was taken is its own copy, whole.
    const reader = new ByteReader(large, 'test');
    expect(reader.f64()).toBe(0);
    expect(new ByteReader(small, 'test').string()).toBe('small');
  });

  it('keeps its room while blocks stay about as large', () => {
    const writer = new ByteWriter(1024);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1000; i++) writer.f64(i);
      writer.take();
    }
    const kept = writer.capacity;
    for (let i = 0; i < 900; i++) writer.f64(i);
    writer.take();
    expect(writer.capacity).toBe(kept);
  });
});
