import { describe, expect, it } from 'vitest';
import { EventTimeMerge } from '../../../../processors/engine/event-time.ts';

const item = (source: string, t: number, id: string) => ({ source, t, rank: 0, id });

describe('EventTimeMerge', () => {
  it('releases in (time, rank, id) order across sources, up to the slowest live source', () => {
    const merge = new EventTimeMerge(['a', 'b']);
    for (const [source, t, id] of [
      ['a', 5, 'a5'],
      ['b', 3, 'b3'],
      ['a', 1, 'a1'],
      ['b', 9, 'b9'],
    ] as const)
      merge.push(item(source, t, id));
    merge.advance('a', 10);
    merge.advance('b', 6);
    expect(merge.release().map((e) => e.id)).toEqual(['a1', 'b3', 'a5']);
    expect(merge.watermark).toBe(6);
    expect(merge.buffered).toBe(1);
    // What a restart keeps: each source's progress just below its earliest buffered event.
    expect(merge.state()).toEqual({ released: 6, progress: { a: 10, b: 6 }, idle: [] });
    merge.setIdle('b', true);
    // Idle with an event buffered: not saved idle, or a restart would release past it.
    expect(merge.state().idle).toEqual([]);
    expect(merge.release().map((e) => e.id)).toEqual(['b9']);
    expect(merge.state().idle).toEqual(['b']);
    const restarted = new EventTimeMerge<ReturnType<typeof item>>();
    restarted.restore(merge.state());
    expect(restarted.isIdle('b')).toBe(true);
    expect(restarted.isIdle('a')).toBe(false);
  });

  it('hands a backlog out in slices without splitting a millisecond, claiming only what it released', () => {
    const merge = new EventTimeMerge(['a']);
    for (let i = 0; i < 10; i++) merge.push(item('a', i < 4 ? 1 : 2 + i, `e${i}`));
    merge.advance('a', 100);
    // Four events share t=1: a slice of 2 still takes all four.
    expect(merge.release(2).map((e) => e.id)).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(merge.watermark).toBe(1);
    expect(merge.isLate(item('a', 1, 'late'))).toBe(true);
    expect(merge.isLate(item('a', 3, 'not-late'))).toBe(false);
    expect(merge.release(3).map((e) => e.id)).toEqual(['e4', 'e5', 'e6']);
    expect(merge.watermark).toBe(8);
    expect(merge.release().map((e) => e.id)).toEqual(['e7', 'e8', 'e9']);
    expect(merge.watermark).toBe(100);
  });

  it('keeps arrival order between events equal in time, rank and id', () => {
    const merge = new EventTimeMerge(['a', 'b']);
    const first = item('b', 1, 'same');
    const second = item('a', 1, 'same');
    merge.push(first);
    merge.push(second);
    merge.advance('a', 5);
    merge.advance('b', 5);
    const out = merge.release();
    expect(out[0]).toBe(first);
    expect(out[1]).toBe(second);
  });
});
