/**
 * The messages between the control plane and the stage processes it starts, over their IPC
 * channel: control one way (pause, resume, a new rate, stop), reports the other (the producer's
 * summary when it is done). Both ends check what arrives against these shapes: a message of
 * another shape is ignored, never trusted.
 */

/** Control plane → stage. */
export type ControlMessage =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'rate'; ratePerSecond: number }
  | { type: 'stop' };

/** What a producer made, per event kind, and how many transactions were fraud. */
export interface ProducerSummary {
  produced: Record<string, number>;
  fraudTransactions: number;
}

/** Stage → control plane. */
export type StageReport = { type: 'summary'; summary: ProducerSummary };

export function isControlMessage(value: unknown): value is ControlMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { type, ratePerSecond } = value as { type?: unknown; ratePerSecond?: unknown };
  if (type === 'rate') return typeof ratePerSecond === 'number';
  return type === 'pause' || type === 'resume' || type === 'stop';
}

export function isStageReport(value: unknown): value is StageReport {
  if (typeof value !== 'object' || value === null) return false;
  const { type, summary } = value as { type?: unknown; summary?: Partial<ProducerSummary> };
  return (
    type === 'summary' &&
    typeof summary === 'object' &&
    summary !== null &&
    typeof summary.produced === 'object' &&
    summary.produced !== null &&
    Object.values(summary.produced).every((n) => typeof n === 'number') &&
    typeof summary.fraudTransactions === 'number'
  );
}

/** Sends `report` to the control plane when this process was started by one (has an IPC channel). */
export function reportToControlPlane(report: StageReport): void {
  process.send?.(report);
}
