import { countIn, type MerchantContext } from './merchant-history.ts';
import { DAY_MS, type FeatureFamily, type FeatureSpec, WINDOW_DAYS } from './types.ts';

const specs: FeatureSpec[] = WINDOW_DAYS.flatMap((days) => [
  {
    name: `terminalTxCount${days}d`,
    type: 'int' as const,
    definition: `The fraud handbook's TERMINAL_ID_NB_TX_${days}DAY_WINDOW: purchases at the terminal in the window, which ends one label delay before this purchase`,
    window: `${days} day${days > 1 ? 's' : ''}, a label delay behind`,
    since: { default: 0 },
  },
  {
    name: `terminalRisk${days}d`,
    type: 'double' as const,
    definition: `The fraud handbook's TERMINAL_ID_RISK_${days}DAY_WINDOW: share of those purchases reported as fraud by the time of this purchase (0 with no purchases)`,
    window: `${days} day${days > 1 ? 's' : ''}, a label delay behind`,
    since: { default: 0 },
  },
]);

/**
 * The handbook's terminal windows, per terminal as it has them (the merchant family counts all of a
 * merchant's terminals together, which dilutes one compromised terminal's signal).
 */
export const terminalRiskFeatures: FeatureFamily<MerchantContext> = {
  name: 'terminal risk',
  features: specs,
  compute({ tx, terminal, delayMs }) {
    const values: Record<string, number> = {};
    const end = tx.eventTime - delayMs;
    for (const days of WINDOW_DAYS) {
      const start = end - days * DAY_MS;
      const count = countIn(terminal.times, start, end);
      const frauds = countIn(terminal.frauds, start, end);
      values[`terminalTxCount${days}d`] = count;
      values[`terminalRisk${days}d`] = count > 0 ? frauds / count : 0;
    }
    return values;
  },
};
