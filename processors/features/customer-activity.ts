import { type CustomerContext, windowRange } from './customer-history.ts';
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
  compute({ tx, entries, index }) {
    const values: Record<string, number | null> = {};
    for (const { days, count, mean } of WINDOW_NAMES) {
      const [from, to] = windowRange(entries, tx.eventTime, days * DAY_MS);
      let sum = 0;
      for (let i = from; i < to; i++) sum += (entries[i] as { amount: number }).amount;
      values[count] = to - from;
      values[mean] = to > from ? sum / (to - from) : 0;
    }
    const [hourFrom, hourTo] = windowRange(entries, tx.eventTime, HOUR_MS);
    values.customerTxCount1h = hourTo - hourFrom;
    const [dayFrom, dayTo] = windowRange(entries, tx.eventTime, DAY_MS);
    const merchants = new Set<string>();
    for (let i = dayFrom; i < dayTo; i++) merchants.add((entries[i] as { merchantId: string }).merchantId);
    values.distinctMerchants24h = merchants.size;
    const previous = entries[index - 1];
    values.secondsSincePrevious = previous ? (tx.eventTime - previous.t) / 1000 : null;
    return values;
  },
};
