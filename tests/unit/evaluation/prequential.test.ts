/** The folds of the prequential evaluation, and what a model may know of the labels when it trains. */
import { describe, expect, it } from 'vitest';
import { datasetOf, type EvaluationRow, MODEL_INPUTS } from '../../../evaluation/dataset.ts';
import type { DetectionModel, TrainingWindow } from '../../../evaluation/models/model.ts';
import { evaluate, foldsOf } from '../../../evaluation/prequential.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

/** Two purchases a day for `days` days; the second of each day is fraud, reported `reportAfter` later. */
function rows(days: number, reportAfter: number): EvaluationRow[] {
  const out: EvaluationRow[] = [];
  for (let d = 0; d < days; d++) {
    const legit = START + d * DAY + 3_600_000;
    const fraud = legit + 3_600_000;
    const inputs = MODEL_INPUTS.map(() => 0);
    out.push({ customerId: `C${d}a`, eventTime: legit, riskScore: 0, inputs, reportedAt: null });
    out.push({
      customerId: `C${d}b`,
      eventTime: fraud,
      riskScore: 1,
      inputs,
      reportedAt: fraud + reportAfter,
    });
  }
  return out;
}

describe('prequential folds', () => {
  it('trains on trainDays, skips delayDays, tests the next day, and slides by one', () => {
    const data = datasetOf(rows(10, 0));
    const folds = foldsOf(data, { trainDays: 3, delayDays: 2 });
    // Test days 5 … 9 (0-based from the run's first day).
    expect(folds.map((fold) => fold.testDay - Math.floor(START / DAY))).toEqual([5, 6, 7, 8, 9]);
    const first = folds[0];
    // Days 0, 1, 2 train (rows 0–5); day 5 tests (rows 10, 11).
    expect(first?.train).toEqual([0, 1, 2, 3, 4, 5]);
    expect(first?.test).toEqual([10, 11]);
  });

  it('has no fold when the run is shorter than train + delay + 1 days', () => {
    expect(foldsOf(datasetOf(rows(5, 0)), { trainDays: 3, delayDays: 2 })).toEqual([]);
  });

  it('shows a model only the labels reported before its test day began', () => {
    const seen: number[][] = [];
    const spy: DetectionModel = {
      name: 'spy',
      description: 'records the labels it is trained with',
      trained: true,
      fit(window: TrainingWindow) {
        seen.push([...window.labels]);
        return (test) => test.ruleScore;
      },
    };
    // Each fraud is reported 3.5 days after it: of a window of days 0–2 tested on day 5, only the
    // frauds of days 0 and 1 (reported on days 3.5 and 4.5) are known at day 5's start.
    evaluate(datasetOf(rows(6, 3.5 * DAY)), [spy], { trainDays: 3, delayDays: 2, k: 1 });
    expect(seen).toEqual([[0, 1, 0, 1, 0, 0]]);
  });

  it('scores each test day and averages the days for the overall metrics', () => {
    const rule: DetectionModel = {
      name: 'rule',
      description: 'the rule score',
      trained: false,
      fit: () => (test) => test.ruleScore,
    };
    const { results } = evaluate(datasetOf(rows(8, 0)), [rule], {
      trainDays: 3,
      delayDays: 2,
      k: 1,
    });
    const [result] = results;
    expect(result?.days.map((day) => [day.day, day.transactions, day.frauds])).toEqual([
      ['2026-01-06', 2, 1],
      ['2026-01-07', 2, 1],
      ['2026-01-08', 2, 1],
    ]);
    expect(result?.overall).toEqual({ auc: 1, averagePrecision: 1, cardPrecisionAtK: 1 });
  });
});
