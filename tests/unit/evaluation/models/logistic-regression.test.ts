/** The logistic baseline fits what it should and nothing it should not. */
import { describe, expect, it } from 'vitest';
import { datasetOf, type EvaluationRow, MODEL_INPUTS } from '../../../../evaluation/dataset.ts';
import { rocAuc } from '../../../../evaluation/metrics.ts';
import { fitLogistic, logisticRegression } from '../../../../evaluation/models/logistic-regression.ts';
import { Rng } from '../../../../producers/random.ts';

describe('fitLogistic', () => {
  it('recovers the weights a sample was drawn with', () => {
    const rng = Rng.for(1, 2, 3);
    const rows = 20_000;
    const x = new Float64Array(rows * 3);
    const y = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const a = rng.float() * 4 - 2;
      const b = rng.float() * 4 - 2;
      x.set([a, b, 1], i * 3);
      const p = 1 / (1 + Math.exp(-(1.5 * a - 2 * b - 0.5)));
      y[i] = rng.float() < p ? 1 : 0;
    }
    const w = fitLogistic(x, y, 3);
    expect(w[0]).toBeCloseTo(1.5, 0);
    expect(w[1]).toBeCloseTo(-2, 0);
    expect(w[2]).toBeCloseTo(-0.5, 0);
  });
});

describe('logisticRegression', () => {
  const amount = MODEL_INPUTS.indexOf('amountMinor');
  function sample(seed: number): EvaluationRow[] {
    const rng = Rng.for(seed, 7);
    return Array.from({ length: 2000 }, (_, i) => {
      const fraud = rng.float() < 0.05;
      const inputs = MODEL_INPUTS.map(() => rng.float());
      // Fraud spends more; every other input is noise.
      inputs[amount] = (fraud ? 3000 : 1000) + rng.float() * 1500;
      return { customerId: `C${i}`, eventTime: i, riskScore: 0, inputs, reportedAt: fraud ? i : null };
    });
  }

  it('ranks unseen fraud by what it learned, the same way every time', () => {
    const train = datasetOf(sample(1));
    const test = datasetOf(sample(2));
    const scoreTest = () => logisticRegression.fit({ data: train, labels: train.fraud })(test);
    const scores = scoreTest();
    expect(rocAuc(scores, test.fraud)).toBeGreaterThan(0.95);
    expect([...scoreTest()]).toEqual([...scores]);
  });

  it('scores every purchase alike when the window knows no fraud', () => {
    const train = datasetOf(sample(1));
    const scores = logisticRegression.fit({ data: train, labels: new Uint8Array(train.size) })(train);
    expect(Math.max(...scores)).toBeLessThan(1e-3);
  });
});
