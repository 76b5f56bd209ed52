import { describe, expect, it } from 'vitest';
import {
  HISTORY_ITEM,
  HistoryBlockWriter,
  readHistoryBlock,
} from '../../../../processors/stages/history-block.ts';

describe('merchant history blocks', () => {
  it('carry every item in order with the latest time, cut in blocks far below the record limit', () => {
    const writer = new HistoryBlockWriter();
    expect(writer.take()).toEqual([]);
    const items: [number, string, number][] = [];
    for (let i = 0; i < 30_000; i++) {
      const item: [number, string, number] = [
        i % 4,
        `M${i % 97}-terminal-${i}`,
        1.6e12 + ((i * 7919) % 30_000),
      ];
      items.push(item);
      writer.add(item[0] as 0, item[1], item[2]);
    }
    const blocks = writer.take();
    expect(blocks.length).toBeGreaterThan(1);
    const read: [number, string, number][] = [];
    for (const { value, maxTime } of blocks) {
      expect(value.length).toBeLessThan(300 * 1024);
      const latest = readHistoryBlock(value, (kind, id, t) => read.push([kind, id, t]));
      expect(latest).toBe(maxTime);
    }
    expect(read).toEqual(items);
  });

  it('refuse a block of another layout or cut short', () => {
    const writer = new HistoryBlockWriter();
    writer.add(HISTORY_ITEM.terminalFraud, 'T1', 5);
    const [block] = writer.take();
    const value = block?.value as Buffer;
    expect(() => readHistoryBlock(Buffer.from('{"t":[]}'), () => undefined)).toThrow(/unknown layout/);
    expect(() => readHistoryBlock(value.subarray(0, value.length - 1), () => undefined)).toThrow(/truncated/);
  });
});
