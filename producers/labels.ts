/**
 * Ground truth, late: each fraudulent transaction is reported after a chargeback-like delay.
 * The delay of a transaction's label depends only on the seed and the transaction.
 */
import { Purpose, Rng } from './random.ts';
import type { FraudLabelRecord } from './records.ts';
import type { GeneratedTransaction } from './simulation.ts';
import { HOUR_MS } from './transactions/rhythm.ts';

export interface LabelDelay {
  medianHours: number;
  minHours: number;
}

const CHANNELS: readonly FraudLabelRecord['reportChannel'][] = [
  'CHARGEBACK',
  'CHARGEBACK',
  'CHARGEBACK',
  'CUSTOMER_REPORT',
  'CUSTOMER_REPORT',
  'ISSUER_REVIEW',
];

export function labelFor(
  transaction: GeneratedTransaction,
  seed: number,
  delay: LabelDelay,
  /** When the transaction really happened (wall clock in realtime mode). */
  transactionTime = transaction.value.eventTime,
): FraudLabelRecord {
  const tx = transaction.value;
  const rng = Rng.for(seed, Purpose.labels, transaction.customer.no, tx.sequenceNumber);
  const delayHours = Math.max(
    delay.minHours,
    delay.medianHours > 0 ? rng.logNormal(delay.medianHours, 0.6) : 0,
  );
  return {
    labelId: `L-${tx.transactionId}`,
    transactionId: tx.transactionId,
    customerId: tx.customerId,
    cardId: tx.cardId,
    merchantId: tx.merchantId,
    isFraud: true,
    scenario: transaction.fraudScenario ?? 'unknown',
    reportChannel: rng.pick(CHANNELS),
    amountMinor: tx.amountMinor,
    currency: tx.currency,
    transactionTime,
    reportedAt: transactionTime + Math.round(delayHours * HOUR_MS),
    runId: tx.runId,
  };
}

/** Labels waiting for their report time. */
export class PendingLabels {
  private pending: FraudLabelRecord[] = [];

  add(label: FraudLabelRecord): void {
    this.pending.push(label);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Removes and returns the labels reported before `untilMs`, in report order. */
  takeDue(untilMs: number): FraudLabelRecord[] {
    const due: FraudLabelRecord[] = [];
    const later: FraudLabelRecord[] = [];
    for (const label of this.pending) (label.reportedAt < untilMs ? due : later).push(label);
    this.pending = later;
    return due.sort(byReport);
  }

  takeAll(): FraudLabelRecord[] {
    return this.takeDue(Number.POSITIVE_INFINITY);
  }
}

function byReport(a: FraudLabelRecord, b: FraudLabelRecord): number {
  return a.reportedAt - b.reportedAt || (a.labelId < b.labelId ? -1 : 1);
}
