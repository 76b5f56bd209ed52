import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, parseProcessorConfig } from '../../../processors/config.ts';
import { scoreRules } from '../../../processors/features/rules.ts';
import { configIssuesOf } from '../../fixtures/config-issues.ts';

const issuesOf = (input: unknown) => configIssuesOf(parseProcessorConfig, input);

describe('processor settings', () => {
  it('defaults to both stages and the default rules', () => {
    const config = parseProcessorConfig({});
    expect(config.stages).toEqual(['customer', 'merchant']);
    expect(config.rules).toEqual(DEFAULT_RULES);
  });

  it('names the field of each bad rule', () => {
    const issues = issuesOf({
      rules: [
        { name: 'a', score: 10, when: [{ feature: 'noSuchFeature', op: '>', value: 1 }] },
        { name: 'b', score: 10, when: [{ feature: 'isNight', op: '>', value: true }] },
        { name: 'c', score: 10, when: [{ feature: 'customerTxCount1h', op: '>', value: 'many' }] },
        { name: 'a', score: 10, when: [{ feature: 'customerTxCount1h', op: '>', value: 3 }] },
      ],
    });
    expect(issues).toEqual([
      '/rules/0/when/0/feature: unknown feature noSuchFeature',
      '/rules/1/when/0/op: isNight is compared with == or != only',
      '/rules/2/when/0/value: customerTxCount1h is a number',
      '/rules/3/name: duplicate rule a',
    ]);
    expect(issuesOf({ latenessMs: -1 })[0]).toMatch(/^\/latenessMs/);
    expect(issuesOf({ stages: ['nope'] })[0]).toMatch(/^\/stages\/0/);
  });
});

describe('rules', () => {
  const rules = [
    { name: 'fast', score: 60, when: [{ feature: 'speedFromPreviousKmh', op: '>' as const, value: 900 }] },
    {
      name: 'night_online',
      score: 50,
      when: [
        { feature: 'isNight', op: '==' as const, value: true },
        { feature: 'channel', op: '==' as const, value: 'ECOMMERCE' },
      ],
    },
  ];

  it('sums the scores of the rules that fired, capped at 100, and names them', () => {
    expect(scoreRules(rules, { speedFromPreviousKmh: 1000, isNight: true, channel: 'ECOMMERCE' })).toEqual({
      riskScore: 100,
      rulesFired: ['fast', 'night_online'],
    });
    expect(scoreRules(rules, { speedFromPreviousKmh: 10, isNight: true, channel: 'ECOMMERCE' })).toEqual({
      riskScore: 50,
      rulesFired: ['night_online'],
    });
  });

  it('never fires on a missing (null) feature', () => {
    expect(scoreRules(rules, { speedFromPreviousKmh: null, isNight: false })).toEqual({
      riskScore: 0,
      rulesFired: [],
    });
  });
});
