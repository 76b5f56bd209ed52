/**
 * A customer's recent purchases in event-time order: what the customer windows are computed from.
 * Kept sorted by (event time, transaction id) so late arrivals land where they belong.
 */
import type { TxFacts } from './types.ts';

export interface CustomerEntry {
  id: string;
  t: number;
  amount: number;
  merchantId: string;
  lat: number;
  lon: number;
}

export interface Home {
  lat: number;
  lon: number;
}

/** What a customer feature family sees: the purchase, the history including it, and home. */
export interface CustomerContext {
  tx: TxFacts;
  entries: readonly CustomerEntry[];
  /** Index of `tx` in `entries`. */
  index: number;
  home: Home | null;
}

export function before(a: { t: number; id: string }, b: { t: number; id: string }): boolean {
  return a.t < b.t || (a.t === b.t && a.id < b.id);
}

/** First index whose time is above `t` (entries sorted by time). */
export function upperBound(entries: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((entries[mid] as { t: number }).t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts in (time, id) order and returns the index; appending is the common case. */
export function insertSorted(entries: CustomerEntry[], entry: CustomerEntry): number {
  let index = entries.length;
  while (index > 0 && before(entry, entries[index - 1] as CustomerEntry)) index--;
  entries.splice(index, 0, entry);
  return index;
}
