/**
 * The fraud handbook's features recomputed its way — pandas-style rolling windows over each
 * customer's and each terminal's transactions, a terminal's windows as the difference of two
 * rolling counts (delay + window, minus delay), risks from the true labels — on a generated
 * sample whose labels all arrive within the delay (the handbook's assumption), against the
 * stream's features of the same name (processors/README.md maps them).
 */
import { describe, expect, it } from 'vitest';
import type { FraudLabelRecord, TransactionRecord } from '../../../producers/records.ts';
import { sameValue } from '../../fixtures/batch-features.ts';
import { streamFeatures } from '../../fixtures/evaluation-rows.ts';
import { completeLabels, generatorConfig, ofKind } from '../../fixtures/generated.ts';

const DAY = 86_400_000;
const DELAY_DAYS = 7;

const config = generatorConfig({
  customers: 180,
  merchants: 25,
  days: 24,
  seed: 31,
  fraud: { rate: 0.05, ...completeLabels(6) },
});
const { events, features } = streamFeatures(config, DELAY_DAYS);
const transactions = ofKind(events, 'transaction').map((e) => e.value);
const labels = ofKind(events, 'label').map((e) => e.value);

/** `rolling(window)` of pandas on a time index: the rows in (t − window, t], t's own included. */
function rolling(rows: readonly TransactionRecord[], t: number, windowMs: number): TransactionRecord[] {
  return rows.filter((row) => row.eventTime > t - windowMs && row.eventTime <= t);
}

function handbookFeatures(
  tx: TransactionRecord,
  fraud: ReadonlySet<string>,
): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {
    TX_DURING_NIGHT: tx.localHour <= 6,
    TX_DURING_WEEKEND: [0, 6].includes(new Date(tx.eventTime).getUTCDay()),
  };
  const customer = transactions.filter((o) => o.customerId === tx.customerId);
  const terminal = transactions.filter((o) => o.terminalId === tx.terminalId);
  for (const days of [1, 7, 30]) {
    const window = rolling(customer, tx.eventTime, days * DAY);
    out[`CUSTOMER_ID_NB_TX_${days}DAY_WINDOW`] = window.length;
    out[`CUSTOMER_ID_AVG_AMOUNT_${days}DAY_WINDOW`] =
      window.reduce((sum, o) => sum + o.amountMinor, 0) / window.length;
    const delayed = rolling(terminal, tx.eventTime, DELAY_DAYS * DAY);
    const delayedWindow = rolling(terminal, tx.eventTime, (DELAY_DAYS + days) * DAY);
    const count = delayedWindow.length - delayed.length;
    const frauds =
      delayedWindow.filter((o) => fraud.has(o.transactionId)).length -
      delayed.filter((o) => fraud.has(o.transactionId)).length;
    out[`TERMINAL_ID_NB_TX_${days}DAY_WINDOW`] = count;
    // The handbook fills the 0/0 of an empty window with 0.
    out[`TERMINAL_ID_RISK_${days}DAY_WINDOW`] = count > 0 ? frauds / count : 0;
  }
  return out;
}

/** The stream's feature each handbook feature is. */
const OURS: Record<string, string> = {
  TX_DURING_NIGHT: 'txDuringNight',
  TX_DURING_WEEKEND: 'isWeekend',
  ...Object.fromEntries(
    [1, 7, 30].flatMap((days) => [
      [`CUSTOMER_ID_NB_TX_${days}DAY_WINDOW`, `customerTxCount${days}d`],
      [`CUSTOMER_ID_AVG_AMOUNT_${days}DAY_WINDOW`, `customerMeanAmount${days}d`],
      [`TERMINAL_ID_NB_TX_${days}DAY_WINDOW`, `terminalTxCount${days}d`],
      [`TERMINAL_ID_RISK_${days}DAY_WINDOW`, `terminalRisk${days}d`],
    ]),
  ),
};

describe("the fraud handbook's features", () => {
  it('come from a sample where every fraud is known within the delay, as the handbook assumes', () => {
    const fraud = labels.filter((label: FraudLabelRecord) => label.isFraud);
    expect(fraud.length).toBeGreaterThan(100);
    expect(fraud.every((label) => label.reportedAt - label.transactionTime < DELAY_DAYS * DAY)).toBe(true);
    // Purchases at the same terminal exist, or the terminal windows would be all zeros.
    expect(
      features.some((f) => (f.terminalTxCount30d as number) > 0 && (f.terminalRisk30d as number) > 0),
    ).toBe(true);
    expect(features.some((f) => f.txDuringNight === true && f.isNight === false)).toBe(true);
  });

  it('equal the stream’s, feature by feature, for every purchase', () => {
    const fraud = new Set(labels.filter((label) => label.isFraud).map((label) => label.transactionId));
    const byId = new Map(transactions.map((tx) => [tx.transactionId, tx]));
    expect(features).toHaveLength(transactions.length);
    const mismatches: string[] = [];
    for (const row of features) {
      const tx = byId.get(String(row.transactionId)) as TransactionRecord;
      for (const [name, value] of Object.entries(handbookFeatures(tx, fraud))) {
        const ours = row[OURS[name] as string];
        if (!sameValue(ours, value))
          mismatches.push(`${tx.transactionId} ${name}: stream ${ours}, handbook ${value}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
