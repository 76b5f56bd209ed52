/**
 * The documented band of the trained baseline's average precision (logistic regression, the
 * evaluation's defaults) for each difficulty: `small` for the test's run (tests/unit/evaluation/
 * difficulty.test.ts), `full` for the bench's (bench/evaluation/difficulty.ts). Measured on
 * seeded runs, then written down here; a change that moves a level out of its band fails the test.
 */
import type { Difficulty } from '../producers/fraud/scenario.ts';

export interface Band {
  min: number;
  max: number;
}

export const DIFFICULTY_BANDS: Readonly<Record<'small' | 'full', Readonly<Record<Difficulty, Band>>>> = {
  // 600 customers, 60 merchants, 24 days; seeds 1, 2, 3, 4, 7, 11 measured 0.49–0.70 (easy),
  // 0.29–0.60 (realistic), 0.10–0.21 (hard).
  small: {
    easy: { min: 0.45, max: 0.85 },
    realistic: { min: 0.25, max: 0.65 },
    hard: { min: 0.05, max: 0.25 },
  },
  // 2,000 customers, 200 merchants, 30 days; seeds 1, 2, 3 measured 0.52–0.59 (easy), 0.35–0.38
  // (realistic), 0.07–0.16 (hard).
  full: {
    easy: { min: 0.45, max: 0.7 },
    realistic: { min: 0.28, max: 0.45 },
    hard: { min: 0.03, max: 0.22 },
  },
};
