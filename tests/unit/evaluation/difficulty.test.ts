/**
 * Each difficulty puts the trained baseline's average precision, averaged over three small seeded
 * runs, in its documented band (evaluation/difficulty-bands.ts): features by the processors' own
 * tasks in memory, the evaluation's defaults. One small run has ~200 frauds to score, too few for
 * its precision to order the levels every time (measured: evaluation/README.md); the mean of three
 * does. The full-size bands are bench/evaluation/difficulty.ts's.
 */
import { describe, expect, it } from 'vitest';
import { datasetOf } from '../../../evaluation/dataset.ts';
import { DIFFICULTY_BANDS, SMALL_RUN } from '../../../evaluation/difficulty-bands.ts';
import { evaluateDataset } from '../../../evaluation/report.ts';
import { parseEvaluationSettings } from '../../../evaluation/settings.ts';
import { DIFFICULTIES, type Difficulty } from '../../../producers/fraud/scenario.ts';
import { evaluationRows } from '../../fixtures/evaluation-rows.ts';
import { generatorConfig } from '../../fixtures/generated.ts';

function baselinePrecision(difficulty: Difficulty, seed: number): number {
  const config = generatorConfig({ ...SMALL_RUN.world, seed, fraud: { difficulty } });
  const report = evaluateDataset(difficulty, datasetOf(evaluationRows(config)), parseEvaluationSettings({}));
  const baseline = report.results.find((result) => result.model === 'logistic_regression');
  return baseline?.overall.averagePrecision ?? Number.NaN;
}

const precision = Object.fromEntries(
  DIFFICULTIES.map((difficulty) => {
    const each = SMALL_RUN.seeds.map((seed) => baselinePrecision(difficulty, seed));
    return [difficulty, each.reduce((sum, value) => sum + value, 0) / each.length];
  }),
) as Record<Difficulty, number>;

describe('difficulty', () => {
  it.each(DIFFICULTIES)(
    '%s: the baseline’s mean average precision lies in the documented band',
    (difficulty) => {
      const { min, max } = DIFFICULTY_BANDS.small[difficulty];
      expect(precision[difficulty]).toBeGreaterThanOrEqual(min);
      expect(precision[difficulty]).toBeLessThanOrEqual(max);
    },
  );

  it('orders the levels: easy above realistic above hard', () => {
    expect(precision.easy).toBeGreaterThan(precision.realistic);
    expect(precision.realistic).toBeGreaterThan(precision.hard);
  });
});
