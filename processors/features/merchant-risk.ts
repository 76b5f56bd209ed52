import { delayedWindowSpecs, delayedWindows, type MerchantContext } from './merchant-history.ts';
import type { FeatureFamily } from './types.ts';

/** The handbook's risk windows counted per merchant, over all of its terminals (held back by the label delay). */
export const merchantRiskFeatures: FeatureFamily<MerchantContext> = {
  name: 'merchant risk',
  features: delayedWindowSpecs('merchant', () => ({
    count: 'Purchases at the merchant in the window, which ends one label delay before this purchase',
    risk: 'Share of those purchases reported as fraud by the time of this purchase (0 with no purchases)',
  })),
  compute: ({ tx, history, delayMs }, into) =>
    delayedWindows('merchant', history, tx.eventTime - delayMs, into),
};
