import { delayedWindowSpecs, delayedWindows, type MerchantContext } from './merchant-history.ts';
import type { FeatureFamily } from './types.ts';

/**
 * The handbook's terminal windows, per terminal as it has them (the merchant family counts all of a
 * merchant's terminals together, which dilutes one compromised terminal's signal).
 */
export const terminalRiskFeatures: FeatureFamily<MerchantContext> = {
  name: 'terminal risk',
  features: delayedWindowSpecs(
    'terminal',
    (days) => ({
      count: `The fraud handbook's TERMINAL_ID_NB_TX_${days}DAY_WINDOW: purchases at the terminal in the window, which ends one label delay before this purchase`,
      risk: `The fraud handbook's TERMINAL_ID_RISK_${days}DAY_WINDOW: share of those purchases reported as fraud by the time of this purchase (0 with no purchases)`,
    }),
    { default: 0 },
  ),
  compute: ({ tx, terminal, delayMs }, into) =>
    delayedWindows('terminal', terminal, tx.eventTime - delayMs, into),
};
