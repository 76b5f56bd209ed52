/**
 * A merchant's purchase times and its confirmed frauds (by purchase time), both sorted: what the
 * merchant windows count. Frauds enter when their label is reported, never before.
 */
import { DAY_MS, type FeatureSpec, type FeatureValue, type TxFacts, WINDOW_DAYS } from './types.ts';

export interface MerchantHistory {
  /** Event times of the merchant's purchases, ascending. */
  times: number[];
  /** Purchase times of the merchant's purchases reported as fraud so far, ascending. */
  frauds: number[];
}

/** What the merchant stage knows of a purchase. */
export type MerchantTx = Pick<
  TxFacts,
  'transactionId' | 'customerId' | 'merchantId' | 'terminalId' | 'eventTime'
>;

export interface MerchantContext {
  tx: MerchantTx;
  history: MerchantHistory;
  /** The same lists for the purchase's terminal alone (a terminal belongs to one merchant). */
  terminal: MerchantHistory;
  /** How far behind the windows sit: labels take this long to be trusted. */
  delayMs: number;
}

/** Inserts `t` keeping the list ascending; appending is the common case. */
export function insertTime(list: number[], t: number): void {
  let index = list.length;
  while (index > 0 && (list[index - 1] as number) > t) index--;
  if (index === list.length) list.push(t);
  else list.splice(index, 0, t);
}

/** How many values of an ascending list lie in (from, to]. */
export function countIn(list: readonly number[], from: number, to: number): number {
  return upper(list, to) - upper(list, from);
}

/** The values of an ascending list that lie in [from, to), as a new list. */
export function sliceIn(list: readonly number[], from: number, to: number): number[] {
  return list.slice(lower(list, from), lower(list, to));
}

/** How many values of an ascending list are below `t`. */
function lower(list: readonly number[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upper(list: readonly number[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Drops values at or before `cutoff`; returns how many went. */
export function pruneBefore(list: number[], cutoff: number): number {
  const drop = upper(list, cutoff);
  if (drop > 0) list.splice(0, drop);
  return drop;
}

/**
 * The specs of count and fraud-share windows that end one label delay before the purchase, one
 * pair per window length: `<prefix>TxCount<n>d` and `<prefix>Risk<n>d`.
 */
export function delayedWindowSpecs(
  prefix: string,
  describe: (days: number) => { count: string; risk: string },
  since?: FeatureSpec['since'],
): FeatureSpec[] {
  return WINDOW_DAYS.flatMap((days) => {
    const window = `${days} day${days > 1 ? 's' : ''}, a label delay behind`;
    const { count, risk } = describe(days);
    return [
      {
        name: `${prefix}TxCount${days}d`,
        type: 'int' as const,
        definition: count,
        window,
        ...(since ? { since } : {}),
      },
      {
        name: `${prefix}Risk${days}d`,
        type: 'double' as const,
        definition: risk,
        window,
        ...(since ? { since } : {}),
      },
    ];
  });
}

/** The windows' feature names per prefix, built once (not per purchase). */
const windowNames = new Map<string, { days: number; count: string; risk: string }[]>();

function namesOf(prefix: string): { days: number; count: string; risk: string }[] {
  let names = windowNames.get(prefix);
  if (!names) {
    names = WINDOW_DAYS.map((days) => ({
      days,
      count: `${prefix}TxCount${days}d`,
      risk: `${prefix}Risk${days}d`,
    }));
    windowNames.set(prefix, names);
  }
  return names;
}

/** Sets those windows over one history in `into` (`end`: the purchase's time minus the delay). */
export function delayedWindows(
  prefix: string,
  history: MerchantHistory,
  end: number,
  into: Record<string, FeatureValue>,
): void {
  const names = namesOf(prefix);
  for (let i = 0; i < names.length; i++) {
    const { days, count: countName, risk } = names[i] as (typeof names)[number];
    const start = end - days * DAY_MS;
    const count = countIn(history.times, start, end);
    const frauds = countIn(history.frauds, start, end);
    into[countName] = count;
    into[risk] = count > 0 ? frauds / count : 0;
  }
}
