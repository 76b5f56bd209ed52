import { describe, expect, it } from 'vitest';
import { RateSchedule } from '../../../producers/rate-shape.ts';

const shape = {
  repeat: true,
  stages: [
    { durationSeconds: 10, ratePerSecond: 100, ramp: false },
    { durationSeconds: 10, ratePerSecond: 300, ramp: true },
    { durationSeconds: 5, ratePerSecond: 1000, ramp: false },
  ],
};

describe('rate schedule', () => {
  it('holds, ramps and bursts as its stages say, and repeats', () => {
    const schedule = RateSchedule.of(shape, 1);
    expect(schedule.rateAt(5)).toBe(100);
    expect(schedule.rateAt(15)).toBe(200);
    expect(schedule.rateAt(22)).toBe(1000);
    expect(schedule.rateAt(25 + 5)).toBe(100);
    // 10 s at 100, a ramp 100→300 over 10 s (2,000), 5 s at 1,000: 8,000 per period.
    expect(schedule.countAt(10)).toBe(1000);
    expect(schedule.countAt(20)).toBe(3000);
    expect(schedule.countAt(25)).toBe(8000);
    expect(schedule.countAt(50)).toBe(16000);
  });

  it('inverts its count: the moment each event falls due', () => {
    const schedule = RateSchedule.of(shape, 1);
    for (const t of [0.5, 9.99, 12.3, 19, 21.7, 24.9, 31, 77.7]) {
      expect(schedule.secondsFor(schedule.countAt(t))).toBeCloseTo(t, 4);
    }
    const held = RateSchedule.of({ repeat: false, stages: shape.stages }, 1);
    expect(held.rateAt(1000)).toBe(1000);
    expect(held.countAt(35)).toBe(18000);
  });

  it('is a constant rate when no shape is given', () => {
    const constant = RateSchedule.of(undefined, 250);
    expect(constant.rateAt(1e6)).toBe(250);
    expect(constant.countAt(8000)).toBe(2_000_000);
    expect(constant.secondsFor(500)).toBeCloseTo(2, 6);
  });

  it('splits between worker threads', () => {
    const half = RateSchedule.of(RateSchedule.share(shape, 2), 1);
    expect(half.countAt(25)).toBe(4000);
  });
});
