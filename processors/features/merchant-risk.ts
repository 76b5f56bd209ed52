import { countIn, type MerchantContext } from './merchant-history.ts';
import { DAY_MS, type FeatureFamily, type FeatureSpec, WINDOW_DAYS } from './types.ts';

const specs: FeatureSpec[] = WINDOW_DAYS.flatMap((days) => [
  {
    name: `merchantTxCount${days}d`,
    type: 'int' as const,
    definition: 'Purchases at the merchant in the window, which ends one label delay before this purchase',
    window: `${days} day${days > 1 ? 's' : ''}, a label delay behind`,
  },
  {
    name: `merchantRisk${days}d`,
    type: 'double' as const,
    definition:
      'Share of those purchases reported as fraud by the time of this purchase (0 with no purchases)',
    window: `${days} day${days > 1 ? 's' : ''}, a label delay behind`,
  },
]);

/** The handbook's terminal risk: counts and fraud share over windows held back by the label delay. */
export const merchantRiskFeatures: FeatureFamily<MerchantContext> = {
  name: 'merchant risk',
  features: specs,
  compute({ tx, history, delayMs }) {
    const values: Record<string, number> = {};
    const end = tx.eventTime - delayMs;
    for (const days of WINDOW_DAYS) {
      const start = end - days * DAY_MS;
      const count = countIn(history.times, start, end);
      const frauds = countIn(history.frauds, start, end);
      values[`merchantTxCount${days}d`] = count;
      values[`merchantRisk${days}d`] = count > 0 ? frauds / count : 0;
    }
    return values;
  },
};
