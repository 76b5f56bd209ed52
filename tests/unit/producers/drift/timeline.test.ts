import { describe, expect, it } from 'vitest';
import { validateAgainst } from '../../../../core/config/validate.ts';
import { parseGeneratorConfig } from '../../../../producers/config.ts';
import { DriftSchema } from '../../../../producers/drift/schema.ts';
import { DriftTimeline, Levels } from '../../../../producers/drift/timeline.ts';
import { configIssuesOf } from '../../../fixtures/config-issues.ts';
import { generateAll, generatorConfig } from '../../../fixtures/generated.ts';

const drift = (input: unknown) => validateAgainst(DriftSchema, input, 'test');
const JAN_1 = Date.parse('2026-01-01T00:00:00Z');

const issuesOf = (input: unknown) => configIssuesOf(parseGeneratorConfig, input);

describe('drift levels', () => {
  it('steps, ramps linearly, and lets a later change take over from where it finds the level', () => {
    const levels = new Levels([
      { day: 10, rampDays: 4, target: 3 },
      { day: 2, rampDays: 0, target: 0 },
      { day: 12, rampDays: 0, target: 1 },
    ]);
    expect([0, 1, 2, 9].map((day) => levels.at(day))).toEqual([1, 1, 0, 0]);
    expect(levels.at(10)).toBe(0);
    expect(levels.at(11)).toBeCloseTo(0.75);
    // Day 12 cuts the ramp short: a step to 1, held.
    expect([12, 13, 100].map((day) => levels.at(day))).toEqual([1, 1, 1]);
    expect(levels.changes.map((change) => change.from)).toEqual([1, 0, 1.5]);
  });
});

describe('drift calendar', () => {
  it('multiplies a day by its weekday, payday and holiday factors', () => {
    const timeline = new DriftTimeline(
      drift({
        seasonality: { paydays: [1, -1], paydayFactor: 1.5, holidays: [{ date: '2026-01-31', factor: 0.5 }] },
      }),
      JAN_1,
    );
    // 2026-01-01 is a Thursday (factor 1.05) and a payday; 01-31 a Saturday (1.1), the last day and a holiday.
    expect(timeline.activity(0)).toBeCloseTo(1.05 * 1.5);
    expect(timeline.activity(1)).toBeCloseTo(1.2);
    expect(timeline.activity(30)).toBeCloseTo(1.1 * 1.5 * 0.5);
    // February has 28 days in 2026: -1 is the 28th.
    expect(timeline.isPayday(31 + 27)).toBe(true);
    expect(new DriftTimeline(drift({ seasonality: { weekends: false } }), JAN_1).activity(1)).toBe(1);
  });

  it('shifts one category’s weight and leaves the others at 1', () => {
    const timeline = new DriftTimeline(
      drift({ categories: [{ category: 'FUEL', day: 2, rampDays: 2, share: 0 }] }),
      JAN_1,
    );
    expect(timeline.conditions(0).categoryWeights?.every((weight) => weight === 1)).toBe(true);
    const ramped = timeline.conditions(3);
    expect(timeline.categoryLevels('FUEL')?.at(3)).toBeCloseTo(0.5);
    expect(ramped.categoryPeak).toBe(1);
    expect(new DriftTimeline(drift({}), JAN_1).conditions(3).categoryWeights).toBeNull();
  });
});

describe('drift settings', () => {
  it('leave a run as it was when empty', () => {
    const plain = generateAll(generatorConfig({ customers: 120, days: 5 }));
    const explicit = generateAll(
      generatorConfig({ customers: 120, days: 5, drift: { scenarios: [], categories: [], seasonality: {} } }),
    );
    expect(explicit).toEqual(plain);
  });

  it('are refused with the field named when they cannot hold', () => {
    expect(issuesOf({ drift: { seasonality: { paydays: [0] } } })).toEqual([
      '/drift/seasonality/paydays/0: must not be 0 (-1 is the last day)',
    ]);
    expect(
      issuesOf({
        drift: { scenarios: [{ scenario: 'card_testing', day: 3, params: { minBurst: 1, color: 2 } }] },
      }),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^\/drift\/scenarios\/0\/params\/minBurst: /)]));
    expect(
      issuesOf({ drift: { scenarios: [{ scenario: 'card_testing', day: 3, params: { colour: 2 } }] } }),
    ).toEqual(['/drift/scenarios/0/params/colour: unknown setting']);
    expect(issuesOf({ drift: { scenarios: [{ scenario: 'card_testing', day: 3 }] } })).toEqual([
      '/drift/scenarios/0: changes nothing: give a rate, params or both',
    ]);
    expect(
      issuesOf({
        fraud: { scenarios: { card_testing: { weight: 0 }, amount_threshold: {} } },
        drift: { scenarios: [{ scenario: 'card_testing', day: 3, rate: 2 }] },
      }),
    ).toEqual([
      '/drift/scenarios/0/rate: card_testing has weight 0 in this run: a multiple of its share is still 0',
    ]);
    expect(
      issuesOf({
        // Six scenarios at 0.5 / 6 each; one of them doubled is 7/12 of all transactions.
        fraud: { rate: 0.5 },
        drift: { scenarios: [{ scenario: 'amount_threshold', day: 3, rampDays: 5, rate: 2 }] },
      }),
    ).toEqual([expect.stringMatching(/^\/drift\/scenarios: would raise the fraud rate to 0\.583/)]);
    expect(issuesOf({ drift: { scenarios: [{ scenario: 'no_such', day: 1, rate: 1 }] } })[0]).toMatch(
      /^\/drift\/scenarios\/0\/scenario: /,
    );
  });
});
