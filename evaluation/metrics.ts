/**
 * The detection metrics of the fraud handbook: AUC-ROC, average precision, and Card Precision@k.
 * Ties are handled as scikit-learn handles them (a group of equal scores is one threshold), so the
 * numbers compare with the handbook's. A metric that is undefined (no fraud, or nothing but fraud,
 * on a test day) is null, never 0: a day without fraud says nothing about a detector.
 */

/** Indices of `scores` from highest to lowest; equal scores keep index order (deterministic). */
function descending(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}

function positives(labels: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) count++;
  return count;
}

/**
 * Area under the ROC curve: the probability that a random fraud scores above a random legitimate
 * purchase, ties counting one half (the Mann–Whitney statistic, equal to the trapezoid area).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const p = positives(labels);
  const n = labels.length - p;
  if (p === 0 || n === 0) return null;
  const order = descending(scores);
  // Walking down the ranking: every negative contributes the positives above it, a tied
  // group contributing half of its own positives to each of its negatives.
  let positivesAbove = 0;
  let sum = 0;
  let i = 0;
  while (i < order.length) {
    const score = scores[order[i] as number] as number;
    let groupPositives = 0;
    let groupNegatives = 0;
    while (i < order.length && scores[order[i] as number] === score) {
      if (labels[order[i] as number] === 1) groupPositives++;
      else groupNegatives++;
      i++;
    }
    sum += groupNegatives * (positivesAbove + groupPositives / 2);
    positivesAbove += groupPositives;
  }
  return sum / (p * n);
}

/**
 * Average precision: Σ (Rₙ − Rₙ₋₁) · Pₙ over the distinct score thresholds, highest first —
 * scikit-learn's `average_precision_score`, not the interpolated area.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const p = positives(labels);
  if (p === 0) return null;
  const order = descending(scores);
  let truePositives = 0;
  let seen = 0;
  let sum = 0;
  let i = 0;
  while (i < order.length) {
    const score = scores[order[i] as number] as number;
    let groupPositives = 0;
    while (i < order.length && scores[order[i] as number] === score) {
      if (labels[order[i] as number] === 1) groupPositives++;
      seen++;
      i++;
    }
    truePositives += groupPositives;
    sum += (groupPositives / p) * (truePositives / seen);
  }
  return sum;
}

/**
 * Card Precision@k of one day (the handbook's `card_precision_top_k_day`): each card scores the
 * highest score of its purchases that day and is compromised if any of them is fraud; the share of
 * compromised cards among the k highest. Cards with equal scores are taken in card order, so the
 * result does not depend on the order of the rows. Null when the day has no purchases.
 */
export function cardPrecisionAtK(
  cards: readonly string[],
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  k: number,
): number | null {
  if (cards.length === 0) return null;
  const best = new Map<string, { score: number; fraud: boolean }>();
  for (let i = 0; i < cards.length; i++) {
    const card = cards[i] as string;
    const score = scores[i] as number;
    const fraud = labels[i] === 1;
    const seen = best.get(card);
    if (!seen) best.set(card, { score, fraud });
    else {
      if (score > seen.score) seen.score = score;
      seen.fraud ||= fraud;
    }
  }
  const ranked = [...best].sort(([a, x], [b, y]) => y.score - x.score || (a < b ? -1 : a > b ? 1 : 0));
  let compromised = 0;
  for (const [, card] of ranked.slice(0, k)) if (card.fraud) compromised++;
  // The handbook divides by k even when the day has fewer cards: a short day cannot score higher.
  return compromised / k;
}
