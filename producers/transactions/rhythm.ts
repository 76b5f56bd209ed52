import type { Rng } from '../random.ts';
import { cumulative } from '../random.ts';
import { CATEGORIES, type HourProfile, hourWeights, WEEKDAY_FACTOR } from '../world/categories.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

const HOUR_CDFS = new Map<HourProfile, Float64Array>(
  (['daytime', 'meals', 'evening', 'commute', 'flat'] as const).map((profile) => [
    profile,
    cumulative(hourWeights(profile)),
  ]),
);

/** The hour-of-day table of a category. */
export function hourCdf(categoryIndex: number): Float64Array {
  return HOUR_CDFS.get(CATEGORIES[categoryIndex]?.hours ?? 'flat') as Float64Array;
}

export function profileHourCdf(profile: HourProfile): Float64Array {
  return HOUR_CDFS.get(profile) as Float64Array;
}

/** A moment in the day: an hour from the table, then any millisecond of it. */
export function timeInDay(rng: Rng, dayStartMs: number, cdf: Float64Array): number {
  return dayStartMs + rng.weighted(cdf) * HOUR_MS + Math.floor(rng.float() * HOUR_MS);
}

/** 1970-01-01 was a Thursday (4). */
export function weekday(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 4) % 7;
}

export function weekdayFactor(dayStartMs: number): number {
  return WEEKDAY_FACTOR[weekday(dayStartMs)] ?? 1;
}

/**
 * How many purchases a customer sets out to make on a day (before any fraud), `activity` being the
 * day's multiple of a usual one (the weekday, a payday, a holiday: drift/timeline.ts).
 */
export function expectedPurchases(transactionsPerDay: number, activity: number): number {
  return transactionsPerDay * activity;
}
