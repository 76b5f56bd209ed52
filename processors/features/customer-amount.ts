import { type CustomerContext, upperBound } from './customer-history.ts';
import { DAY_MS, type FeatureFamily } from './types.ts';

/** How unusual the amount is for this customer over the last 30 days. */
export const customerAmountFeatures: FeatureFamily<CustomerContext> = {
  name: 'customer amount',
  features: [
    {
      name: 'amountZScore30d',
      type: 'double',
      nullable: true,
      definition:
        "(amount − mean) / population standard deviation of the customer's amounts; null below 2 purchases or with no spread",
      window: '30 days',
    },
    {
      name: 'amountToMax30d',
      type: 'double',
      definition: "Amount divided by the largest of the customer's amounts, this one included",
      window: '30 days',
    },
  ],
  compute({ tx, entries }, into) {
    const from = upperBound(entries, tx.eventTime - 30 * DAY_MS);
    const to = upperBound(entries, tx.eventTime);
    const n = to - from;
    let sum = 0;
    let max = 0;
    for (let i = from; i < to; i++) {
      const amount = (entries[i] as { amount: number }).amount;
      sum += amount;
      if (amount > max) max = amount;
    }
    const mean = n > 0 ? sum / n : 0;
    // Two passes: a running sum of squares loses the small spreads that matter here.
    let squares = 0;
    for (let i = from; i < to; i++) squares += ((entries[i] as { amount: number }).amount - mean) ** 2;
    const std = n > 0 ? Math.sqrt(squares / n) : 0;
    into.amountZScore30d = n >= 2 && std > 0 ? (tx.amountMinor - mean) / std : null;
    into.amountToMax30d = max > 0 ? tx.amountMinor / max : 0;
  },
};
