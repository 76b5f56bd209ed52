import { type CustomerContext, upperBound } from './customer-history.ts';
import { DAY_MS, type FeatureFamily, type FeatureSpec, HOUR_MS, WINDOW_DAYS } from './types.ts';

const windowed: FeatureSpec[] = WINDOW_DAYS.flatMap((days) => [
  {
    name: `customerTxCount${days}d`,
    type: 'int' as const,
    definition: 'Purchases of the customer, this one included',
    window: `${days} day${days > 1 ? 's' : ''}`,
  },
  {
    name: `customerMeanAmount${days}d`,
    type: 'double' as const,
    definition: 'Mean amount (minor units) of those purchases',
    window: `${days} day${days > 1 ? 's' : ''}`,
  },
]);

/** The windows' feature names, built once (not per purchase). */
const WINDOW_NAMES = WINDOW_DAYS.map((days) => ({
  days,
  count: `customerTxCount${days}d`,
  mean: `customerMeanAmount${days}d`,
}));

/** Merchants already counted: one Set reused by every call instead of one per purchase. */
const seen = new Set<string>();

/** Distinct merchant ids of entries[from, to). */
function distinctMerchants(entries: CustomerContext['entries'], from: number, to: number): number {
  for (let i = from; i < to; i++) seen.add((entries[i] as { merchantId: string }).merchantId);
  const distinct = seen.size;
  seen.clear();
  return distinct;
}

/** How often and how much a customer buys: the handbook's customer windows and two bursts. */
export const customerActivityFeatures: FeatureFamily<CustomerContext> = {
  name: 'customer activity',
  features: [
    ...windowed,
    {
      name: 'customerTxCount1h',
      type: 'int',
      definition: 'Purchases of the customer, this one included',
      window: '1 hour',
    },
    {
      name: 'distinctMerchants24h',
      type: 'int',
      definition: 'Distinct merchants the customer bought from, this one included',
      window: '24 hours',
    },
    {
      name: 'secondsSincePrevious',
      type: 'double',
      nullable: true,
      definition: "Seconds since the customer's previous purchase (null for the first)",
      window: '',
    },
  ],
  compute({ tx, entries, index }, into) {
    // Every window ends at the purchase (ties included): one search for the end, one per start.
    const to = upperBound(entries, tx.eventTime);
    const dayFrom = upperBound(entries, tx.eventTime - DAY_MS);
    for (let w = 0; w < WINDOW_NAMES.length; w++) {
      const { days, count, mean } = WINDOW_NAMES[w] as (typeof WINDOW_NAMES)[number];
      const from = days === 1 ? dayFrom : upperBound(entries, tx.eventTime - days * DAY_MS);
      let sum = 0;
      for (let i = from; i < to; i++) sum += (entries[i] as { amount: number }).amount;
      into[count] = to - from;
      into[mean] = to > from ? sum / (to - from) : 0;
    }
    into.customerTxCount1h = to - upperBound(entries, tx.eventTime - HOUR_MS);
    into.distinctMerchants24h = distinctMerchants(entries, dayFrom, to);
    const previous = entries[index - 1];
    into.secondsSincePrevious = previous ? (tx.eventTime - previous.t) / 1000 : null;
  },
};
