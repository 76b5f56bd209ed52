/**
 * Prequential evaluation under the label delay, as the fraud handbook does it: train on a window
 * of days, skip the delay (the labels of those days are not known yet), test on the next day,
 * slide by a day. A training row counts as fraud only if its label was reported before the test
 * day began — what an issuer would have known when it retrained.
 */
import { DAY_MS } from '../processors/features/types.ts';
import { type Dataset, dayOf, subset } from './dataset.ts';
import { averagePrecision, cardPrecisionAtK, rocAuc } from './metrics.ts';
import type { DetectionModel } from './models/model.ts';

export interface PrequentialSettings {
  trainDays: number;
  delayDays: number;
  /** Cards per test day for Card Precision@k. */
  k: number;
}

export interface DayResult {
  /** The test day, YYYY-MM-DD (UTC). */
  day: string;
  transactions: number;
  frauds: number;
  auc: number | null;
  averagePrecision: number | null;
  cardPrecisionAtK: number | null;
}

export interface ModelResult {
  model: string;
  description: string;
  days: DayResult[];
  /**
   * The mean over the test days where each is defined, as the handbook averages its folds: each
   * day has a model of its own, so scores of different days are not pooled into one ranking.
   */
  overall: { auc: number | null; averagePrecision: number | null; cardPrecisionAtK: number | null };
}

export interface Fold {
  testDay: number;
  train: number[];
  test: number[];
}

/** The folds of a dataset in event-time order: one per test day that has a full training window. */
export function foldsOf(
  data: Dataset,
  settings: Pick<PrequentialSettings, 'trainDays' | 'delayDays'>,
): Fold[] {
  const byDay = new Map<number, number[]>();
  for (let i = 0; i < data.size; i++) {
    const day = dayOf(data.eventTime[i] as number);
    let rows = byDay.get(day);
    if (!rows) {
      rows = [];
      byDay.set(day, rows);
    }
    rows.push(i);
  }
  if (byDay.size === 0) return [];
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const first = days[0] as number;
  const last = days[days.length - 1] as number;
  const folds: Fold[] = [];
  for (let testDay = first + settings.trainDays + settings.delayDays; testDay <= last; testDay++) {
    const train: number[] = [];
    for (
      let day = testDay - settings.delayDays - settings.trainDays;
      day < testDay - settings.delayDays;
      day++
    )
      train.push(...(byDay.get(day) ?? []));
    const test = byDay.get(testDay) ?? [];
    if (test.length > 0) folds.push({ testDay, train, test });
  }
  return folds;
}

const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Every model over every fold; the same data give the same numbers. */
export function evaluate(
  data: Dataset,
  models: readonly DetectionModel[],
  settings: PrequentialSettings,
): { folds: Fold[]; results: ModelResult[] } {
  const folds = foldsOf(data, settings);
  const results: ModelResult[] = models.map((model) => ({
    model: model.name,
    description: model.description,
    days: [],
    overall: { auc: null, averagePrecision: null, cardPrecisionAtK: null },
  }));
  for (const fold of folds) {
    const train = subset(data, fold.train);
    const test = subset(data, fold.test);
    const known = new Uint8Array(train.size);
    const cut = fold.testDay * DAY_MS;
    for (let i = 0; i < train.size; i++) known[i] = (train.reportedAt[i] as number) < cut ? 1 : 0;
    let frauds = 0;
    for (let i = 0; i < test.size; i++) frauds += test.fraud[i] as number;
    for (const [m, model] of models.entries()) {
      const scores = model.fit({ data: train, labels: known })(test);
      results[m]?.days.push({
        day: isoDay(fold.testDay),
        transactions: test.size,
        frauds,
        auc: rocAuc(scores, test.fraud),
        averagePrecision: averagePrecision(scores, test.fraud),
        cardPrecisionAtK: cardPrecisionAtK(test.cards, scores, test.fraud, settings.k),
      });
    }
  }
  for (const result of results) {
    result.overall = {
      auc: meanOf(result.days, 'auc'),
      averagePrecision: meanOf(result.days, 'averagePrecision'),
      cardPrecisionAtK: meanOf(result.days, 'cardPrecisionAtK'),
    };
  }
  return { folds, results };
}

function meanOf(
  days: readonly DayResult[],
  metric: 'auc' | 'averagePrecision' | 'cardPrecisionAtK',
): number | null {
  let sum = 0;
  let count = 0;
  for (const day of days) {
    const value = day[metric];
    if (value === null) continue;
    sum += value;
    count++;
  }
  return count > 0 ? sum / count : null;
}
