import { describe, expect, it } from 'vitest';
import { PartitionProgress } from '../../../../core/kafka/partition-progress.ts';

describe('PartitionProgress', () => {
  it('lag is the end minus what is committed, not what was read', () => {
    const progress = new PartitionProgress();
    progress.reset([{ topic: 't', partition: 0, offset: 100 }]);
    expect(progress.lag('t', 0)).toBeUndefined();
    // 900 records read, none committed: all still count.
    progress.delivered('t', 0, 1000, 999, 1000);
    expect(progress.lag('t', 0)).toBe(900);
    expect(progress.caughtUp('t', 0)).toBe(true);
    progress.committed('t', 0, 600);
    expect(progress.lag('t', 0)).toBe(400);
    progress.committed('t', 0, 500);
    expect(progress.lag('t', 0)).toBe(400);
  });

  it('a transaction marker after the last record is no lag once that record is committed', () => {
    const progress = new PartitionProgress();
    progress.reset([{ topic: 't', partition: 0, offset: 0 }]);
    // Records 0..9, then a commit marker at 10: the end is 11.
    progress.delivered('t', 0, 11, 9, 11);
    expect(progress.lag('t', 0)).toBe(11);
    progress.committed('t', 0, 10);
  });

  it('is not caught up while the end moves ahead of what was handed over', () => {
    const progress = new PartitionProgress();
    progress.reset([{ topic: 't', partition: 0, offset: 0 }]);
    progress.delivered('t', 0, 50, 49, 80);
    expect(progress.caughtUp('t', 0)).toBe(false);
    expect(progress.caughtUp('t', 1)).toBe(false);
    expect(progress.lag('t', 1)).toBeUndefined();
  });

  it('names the partitions a new assignment no longer has, whose lag another member reports now', () => {
    const progress = new PartitionProgress();
    expect(
      progress.reset([
        { topic: 't', partition: 0, offset: 0 },
        { topic: 't', partition: 1, offset: 0 },
      ]),
    ).toEqual([]);
    progress.delivered('t', 1, 50, 49, 80);
    expect(progress.reset([{ topic: 't', partition: 0, offset: 5 }])).toEqual([{ topic: 't', partition: 1 }]);
    expect(progress.lag('t', 1)).toBeUndefined();
  });
});
