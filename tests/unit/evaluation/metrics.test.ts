/** The metrics against values computed by hand on tiny examples (ties included). */
import { describe, expect, it } from 'vitest';
import { averagePrecision, cardPrecisionAtK, rocAuc } from '../../../evaluation/metrics.ts';

describe('rocAuc', () => {
  it('counts the pairs a fraud wins: 3 of 4', () => {
    // Fraud 0.9 beats both legit purchases, fraud 0.7 beats 0.6 but not 0.8.
    expect(rocAuc([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toBe(0.75);
  });
  it('counts a tie as half a win', () => {
    // (0.5 vs 0.5) = ½, (0.2 vs 0.5) = 0: ½ of 2 pairs.
    expect(rocAuc([0.5, 0.5, 0.2], [1, 0, 1])).toBe(0.25);
  });
  it('is 1 for a perfect ranking, 0 for an inverted one, ½ for a constant score', () => {
    expect(rocAuc([3, 2, 1], [1, 1, 0])).toBe(1);
    expect(rocAuc([1, 2, 3], [1, 1, 0])).toBe(0);
    expect(rocAuc([7, 7, 7, 7], [1, 0, 0, 1])).toBe(0.5);
  });
  it('is undefined without both classes', () => {
    expect(rocAuc([0.1, 0.2], [0, 0])).toBeNull();
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNull();
  });
});

describe('averagePrecision', () => {
  it('sums precision at each recall step: ½·1 + ½·⅔', () => {
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toBeCloseTo(5 / 6, 15);
  });
  it('takes a tied group as one threshold: ½·½ + ½·⅔', () => {
    expect(averagePrecision([0.5, 0.5, 0.2], [1, 0, 1])).toBeCloseTo(7 / 12, 15);
  });
  it('is the fraud rate for a constant score, 1 for a perfect ranking', () => {
    expect(averagePrecision([1, 1, 1, 1], [0, 1, 0, 0])).toBe(0.25);
    expect(averagePrecision([0.3, 0.9, 0.1], [0, 1, 0])).toBe(1);
  });
  it('is undefined without fraud', () => {
    expect(averagePrecision([0.3, 0.9], [0, 0])).toBeNull();
  });
});

describe('cardPrecisionAtK', () => {
  // Cards by their best score: A 0.9 (legit), B 0.8 (fraud), D 0.8 (fraud), C 0.3 (legit).
  const cards = ['A', 'A', 'B', 'C', 'D'];
  const scores = [0.1, 0.9, 0.8, 0.3, 0.8];
  const labels = [0, 0, 1, 0, 1];
  it('ranks cards by their highest score and counts the compromised among the top k', () => {
    expect(cardPrecisionAtK(cards, scores, labels, 1)).toBe(0);
    expect(cardPrecisionAtK(cards, scores, labels, 2)).toBe(0.5);
    expect(cardPrecisionAtK(cards, scores, labels, 3)).toBeCloseTo(2 / 3, 15);
  });
  it('divides by k even when the day has fewer cards (as the handbook does)', () => {
    expect(cardPrecisionAtK(cards, scores, labels, 10)).toBe(0.2);
  });
  it('takes tied cards in card order, whatever the order of the rows', () => {
    const reversed = (list: readonly (string | number)[]) => [...list].reverse();
    const ties = cardPrecisionAtK(['Z', 'Y'], [0.5, 0.5], [1, 0], 1);
    expect(ties).toBe(0); // Y comes first and is legitimate
    expect(cardPrecisionAtK(reversed(['Z', 'Y']) as string[], [0.5, 0.5], [0, 1], 1)).toBe(ties);
    expect(
      cardPrecisionAtK(
        reversed(cards) as string[],
        reversed(scores) as number[],
        reversed(labels) as number[],
        2,
      ),
    ).toBe(0.5);
  });
  it('marks a card compromised when any of its purchases that day is fraud', () => {
    expect(cardPrecisionAtK(['A', 'A'], [0.9, 0.1], [0, 1], 1)).toBe(1);
  });
  it('is undefined on a day without purchases', () => {
    expect(cardPrecisionAtK([], [], [], 5)).toBeNull();
  });
});
