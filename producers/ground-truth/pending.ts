/** Labels decided but not yet reported: each waits for its report time. */
import type { FraudLabelRecord } from '../records.ts';

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
