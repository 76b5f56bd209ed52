/**
 * The in-flight risk score: rules are data (configuration), each a conjunction of comparisons on
 * feature values with a score; the score of a record is the sum of the rules that fired, capped.
 */
import type { FeatureSpec, FeatureValue } from './types.ts';

export type Operator = '>' | '>=' | '<' | '<=' | '==' | '!=';

export interface RuleCondition {
  feature: string;
  op: Operator;
  value: number | boolean | string;
}

export interface Rule {
  name: string;
  score: number;
  when: readonly RuleCondition[];
}

export const MAX_RISK_SCORE = 100;

export const ruleFeatures: readonly FeatureSpec[] = [
  {
    name: 'riskScore',
    type: 'int',
    definition: `Sum of the scores of the rules that fired, at most ${MAX_RISK_SCORE}`,
    window: '',
  },
  {
    name: 'rulesFired',
    type: 'string[]',
    definition: 'Names of the rules that fired, in configuration order',
    window: '',
  },
];

function holds(actual: FeatureValue | undefined, { op, value }: RuleCondition): boolean {
  if (actual === null || actual === undefined || Array.isArray(actual)) return false;
  switch (op) {
    case '==':
      return actual === value;
    case '!=':
      return actual !== value;
    default: {
      if (typeof actual !== 'number' || typeof value !== 'number') return false;
      if (op === '>') return actual > value;
      if (op === '>=') return actual >= value;
      if (op === '<') return actual < value;
      return actual <= value;
    }
  }
}

export function scoreRules(
  rules: readonly Rule[],
  features: Readonly<Record<string, FeatureValue>>,
): { riskScore: number; rulesFired: string[] } {
  const fired: string[] = [];
  let score = 0;
  // Indexed loops and no closure: this runs once per purchase.
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as Rule;
    if (allHold(rule.when, features)) {
      fired.push(rule.name);
      score += rule.score;
    }
  }
  return { riskScore: Math.min(MAX_RISK_SCORE, Math.round(score)), rulesFired: fired };
}

function allHold(when: Rule['when'], features: Readonly<Record<string, FeatureValue>>): boolean {
  for (let c = 0; c < when.length; c++) {
    const condition = when[c] as Rule['when'][number];
    if (!holds(features[condition.feature], condition)) return false;
  }
  return true;
}
