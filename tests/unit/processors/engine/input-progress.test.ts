import { describe, expect, it } from 'vitest';
import { InputProgress } from '../../../../processors/engine/input-progress.ts';

describe('input progress', () => {
  it('commits the first offset still waiting and skips what was done ahead of it after a restart', () => {
    const progress = new InputProgress();
    for (const offset of [0, 1, 2, 3]) expect(progress.accept(offset)).toBe(true);
    progress.done(0);
    progress.wait(1);
    progress.done(2);
    progress.wait(3);
    expect(progress.commitOffset()).toBe(1);
    const restarted = new InputProgress();
    restarted.restore(progress.compact());
    expect([1, 2, 3].map((offset) => restarted.accept(offset))).toEqual([true, false, true]);
  });

  it('does not take a waiting offset twice when the same task is fed again from the committed offset', () => {
    // A rebalance that keeps the task restarts its fetch at the commit offset (the first waiting).
    const progress = new InputProgress();
    for (const offset of [10, 11, 12]) progress.accept(offset);
    progress.wait(10);
    progress.done(11);
    progress.wait(12);
    expect(progress.commitOffset()).toBe(10);
    expect([10, 11, 12, 13].map((offset) => progress.accept(offset))).toEqual([false, false, false, true]);
    progress.done(10);
    progress.done(12);
    expect(progress.commitOffset()).toBe(14);
  });

  it('does not take an offset twice that was released between the commit and the feed again', () => {
    const progress = new InputProgress();
    for (const offset of [0, 1]) progress.accept(offset);
    progress.wait(0);
    progress.wait(1);
    expect(progress.commitOffset()).toBe(0);
    // Committed at 0; a timer releases both before the refetch from 0 arrives.
    progress.done(0);
    progress.done(1);
    expect([0, 1, 2].map((offset) => progress.accept(offset))).toEqual([false, false, true]);
  });

  it('commits the smallest offset still waiting through a long run done out of order', () => {
    // Past the point where the list of waiting offsets is compacted, and done in a shuffled order.
    const progress = new InputProgress();
    const waiting = new Set<number>();
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let offset = 0; offset < 20_000; offset++) {
      progress.accept(offset);
      progress.wait(offset);
      waiting.add(offset);
      // Done: mostly the oldest, sometimes one from the last hundred.
      while (waiting.size > 0 && random() < 0.5) {
        const oldest = Math.min(...[...waiting].slice(0, 200));
        const pick = random() < 0.8 ? oldest : Math.max(oldest, offset - Math.floor(random() * 100));
        if (!waiting.has(pick)) continue;
        waiting.delete(pick);
        progress.done(pick);
      }
      const expected = waiting.size > 0 ? Math.min(...[...waiting].slice(0, 200)) : offset + 1;
      expect(progress.commitOffset()).toBe(expected);
    }
  });

  it('keeps the offset still waiting when the offsets passed before it are let go', () => {
    const progress = new InputProgress();
    for (let offset = 0; offset < 10_000; offset++) {
      progress.accept(offset);
      progress.wait(offset);
    }
    for (let offset = 1; offset < 10_000; offset++) if (offset !== 5000) progress.done(offset);
    expect(progress.commitOffset()).toBe(0);
    progress.done(0);
    // Half the list is passed: it is copied without them, 5000 first.
    expect(progress.commitOffset()).toBe(5000);
    expect(progress.commitOffset()).toBe(5000);
    progress.done(5000);
    expect(progress.commitOffset()).toBe(10_000);
  });
});
