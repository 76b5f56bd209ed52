import { describe, expect, it } from 'vitest';
import { parseGeneratorConfig } from '../../../producers/config.ts';
import { SCENARIOS } from '../../../producers/fraud/index.ts';
import { configIssuesOf } from '../../fixtures/config-issues.ts';

const SCENARIO_NAMES = SCENARIOS.map((scenario) => scenario.name);

const issuesOf = (input: unknown) => configIssuesOf(parseGeneratorConfig, input);

describe('generator config', () => {
  it('fills defaults for everything, including each scenario', () => {
    const config = parseGeneratorConfig({});
    expect(config.mode).toBe('backfill');
    expect(config.fraud.rate).toBe(0.01);
    expect(Object.keys(config.fraud.scenarios)).toEqual(SCENARIO_NAMES);
    // Each scenario's recall defaults to the scenario's own; the chargeback lag stays in the limit.
    for (const scenario of SCENARIOS)
      expect((config.fraud.scenarios as Record<string, { recall: number }>)[scenario.name]?.recall).toBe(
        scenario.recall,
      );
    expect(config.fraud.groundTruth.chargeback.maxHours).toBe(120 * 24);
    // At least the handbook's three and the three more the design asks for.
    expect(SCENARIO_NAMES).toEqual(
      expect.arrayContaining([
        'amount_threshold',
        'compromised_terminal',
        'compromised_card',
        'card_testing',
        'account_takeover',
        'impossible_travel',
      ]),
    );
  });

  it.each([
    [{ ratePerSecond: -5 }, '/ratePerSecond'],
    [{ fraud: { rate: 1.5 } }, '/fraud/rate'],
    [{ fraud: { scenarios: { skimming: { weight: 1 } } } }, '/fraud/scenarios/skimming: unknown setting'],
    [
      { fraud: { scenarios: { card_testing: { maxAmountMinor: 0 } } } },
      '/fraud/scenarios/card_testing/maxAmountMinor',
    ],
    [{ customers: 0 }, '/customers'],
    [{ startDate: '2026-13-40' }, '/startDate'],
    [{ mode: 'turbo' }, '/mode'],
    [{ shard: { index: 3, count: 2 } }, '/shard/index'],
    [{ seed: 'abc' }, '/seed'],
    [{ fraud: { scenarios: { card_testing: { recall: 1.2 } } } }, '/fraud/scenarios/card_testing/recall'],
    [{ fraud: { groundTruth: { disputes: { rate: -0.1 } } } }, '/fraud/groundTruth/disputes/rate'],
    [
      { fraud: { groundTruth: { chargeback: { minHours: 100, maxHours: 10 } } } },
      '/fraud/groundTruth/chargeback/minHours',
    ],
    [{ fraud: { labelDelay: { medianHours: 24 } } }, '/fraud/labelDelay: unknown setting'],
  ])('refuses %j naming %s', (input, field) => {
    expect(issuesOf(input).some((issue) => issue.startsWith(field))).toBe(true);
  });

  it('refuses a fraud rate with every scenario weighted zero', () => {
    const scenarios = Object.fromEntries(SCENARIO_NAMES.map((name) => [name, { weight: 0 }]));
    expect(issuesOf({ fraud: { rate: 0.01, scenarios } })).toEqual([
      '/fraud/scenarios: fraud.rate > 0 needs at least one scenario with weight > 0',
    ]);
  });
});
