/**
 * Each difficulty puts the trained baseline's average precision in its documented band
 * (evaluation/difficulty-bands.ts) on a small seeded run: features by the processors' own tasks in
 * memory, the evaluation's defaults. The full-size bands are bench/evaluation/difficulty.ts's.
 */
import { describe, expect, it } from 'vitest';
import { datasetOf } from '../../../evaluation/dataset.ts';
import { DIFFICULTY_BANDS } from '../../../evaluation/difficulty-bands.ts';
import { evaluateDataset } from '../../../evaluation/report.ts';
import { parseEvaluationSettings } from '../../../evaluation/settings.ts';
import { DIFFICULTIES } from '../../../producers/fraud/scenario.ts';
import { evaluationRows } from '../../fixtures/evaluation-rows.ts';
import { generatorConfig } from '../../fixtures/generated.ts';

const precision = Object.fromEntries(
  DIFFICULTIES.map((difficulty) => {
    const config = generatorConfig({
      customers: 600,
      merchants: 60,
      days: 24,
      seed: 7,
      fraud: { difficulty },
    });
    const report = evaluateDataset(
      difficulty,
      datasetOf(evaluationRows(config)),
      parseEvaluationSettings({}),
    );
    const baseline = report.results.find((result) => result.model === 'logistic_regression');
    return [difficulty, baseline?.overall.averagePrecision ?? Number.NaN];
  }),
) as Record<(typeof DIFFICULTIES)[number], number>;

describe('difficulty', () => {
  it.each(DIFFICULTIES)('%s: the baseline’s average precision lies in the documented band', (difficulty) => {
    const { min, max } = DIFFICULTY_BANDS.small[difficulty];
    expect(precision[difficulty]).toBeGreaterThanOrEqual(min);
    expect(precision[difficulty]).toBeLessThanOrEqual(max);
  });

  it('orders the levels: easy above realistic above hard', () => {
    expect(precision.easy).toBeGreaterThan(precision.realistic);
    expect(precision.realistic).toBeGreaterThan(precision.hard);
  });
});
