/** The in-flight rule score as the processors computed it: the baseline that needs no training. */
import type { DetectionModel } from './model.ts';

export const ruleScore: DetectionModel = {
  name: 'rule_score',
  description: 'riskScore of transactions.features: the configured rules, scored in flight',
  trained: false,
  fit: () => (test) => test.ruleScore,
};
