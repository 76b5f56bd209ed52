import { describe, expect, it } from 'vitest';
import { retentionMsOf } from '../../../producers/run.ts';
import { generatorConfig } from '../../fixtures/generated.ts';

const DAY = 86_400_000;

describe('topic retention of a run', () => {
  it('counts a backfill’s retention from now, since its records carry past event times', () => {
    const config = generatorConfig({ startDate: '2026-01-01', topics: { retentionMs: 7 * DAY } });
    const now = Date.parse('2026-03-01T00:00:00Z');
    expect(retentionMsOf(config, now)).toBe(7 * DAY + (now - Date.parse('2026-01-01T00:00:00Z')));
  });

  it('keeps realtime and keep-forever retention as configured', () => {
    expect(retentionMsOf(generatorConfig({ mode: 'realtime', topics: { retentionMs: DAY } }))).toBe(DAY);
    expect(retentionMsOf(generatorConfig({ topics: { retentionMs: -1 } }))).toBe(-1);
  });
});
