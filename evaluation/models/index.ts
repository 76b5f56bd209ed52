import { logisticRegression } from './logistic-regression.ts';
import type { DetectionModel } from './model.ts';
import { ruleScore } from './rule-score.ts';

/** Every detector an evaluation can run, by name. A new one is a new file and one line here. */
export const MODELS: readonly DetectionModel[] = [ruleScore, logisticRegression];

export const MODEL_NAMES = MODELS.map((model) => model.name);
