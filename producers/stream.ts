/**
 * The event stream of a backfill: entity events first, then each simulated day's transactions
 * interleaved with the labels reported that day, all in event-time order.
 */
import type { GeneratorConfig } from './config.ts';
import { GroundTruth } from './ground-truth/ground-truth.ts';
import { PendingLabels } from './ground-truth/pending.ts';
import {
  type CustomerRecord,
  customerRecord,
  type FraudLabelRecord,
  type MerchantRecord,
  merchantRecord,
  type TransactionRecord,
} from './records.ts';
import { createSimulation, type GeneratedTransaction, type Simulation } from './simulation.ts';
import { DAY_MS } from './transactions/rhythm.ts';

export type StreamEvent =
  | { kind: 'customer'; key: string; timestamp: number; value: CustomerRecord }
  | { kind: 'merchant'; key: string; timestamp: number; value: MerchantRecord }
  | {
      kind: 'transaction';
      key: string;
      timestamp: number;
      value: TransactionRecord;
      source: GeneratedTransaction;
    }
  | { kind: 'label'; key: string; timestamp: number; value: FraudLabelRecord };

export type EventKind = StreamEvent['kind'];

/** Customers of this shard; merchants once, from shard 0 (they are shared reference data). */
export function entityEvents(simulation: Simulation, config: GeneratorConfig, at: number): StreamEvent[] {
  const events: StreamEvent[] = [];
  if (config.shard.index === 0) {
    for (const merchant of simulation.world.merchants) {
      events.push({
        kind: 'merchant',
        key: merchant.id,
        timestamp: at,
        value: merchantRecord(merchant, at, config.runId),
      });
    }
  }
  for (const customer of simulation.world.customers) {
    events.push({
      kind: 'customer',
      key: customer.id,
      timestamp: at,
      value: customerRecord(customer, at, config.runId),
    });
  }
  return events;
}

export function transactionEvent(source: GeneratedTransaction): StreamEvent {
  return {
    kind: 'transaction',
    key: source.value.customerId,
    timestamp: source.value.eventTime,
    source,
    value: source.value,
  };
}

export function labelEvent(label: FraudLabelRecord): StreamEvent {
  return { kind: 'label', key: label.customerId, timestamp: label.reportedAt, value: label };
}

/**
 * Batches of events, one per simulated day (the first holds the entities). Stops after
 * `maxTransactions` when set; labels still pending at the end follow in report order, so every
 * transaction of the run has all the labels it will ever get (ground-truth/README.md).
 */
export function* backfillEvents(
  config: GeneratorConfig,
  simulation = createSimulation(config),
): Generator<StreamEvent[]> {
  yield entityEvents(simulation, config, simulation.startMs);
  const pending = new PendingLabels();
  const groundTruth = new GroundTruth(config);
  let remaining = config.maxTransactions ?? Number.POSITIVE_INFINITY;
  for (let dayIndex = 0; dayIndex < config.days && remaining > 0; dayIndex++) {
    let transactions = simulation.day(dayIndex);
    if (transactions.length > remaining) transactions = transactions.slice(0, remaining);
    remaining -= transactions.length;
    for (const tx of transactions) groundTruth.observe(tx, dayIndex, pending);
    const dayEnd = remaining > 0 ? simulation.startMs + (dayIndex + 1) * DAY_MS : Number.NEGATIVE_INFINITY;
    const labels = pending.takeDue(dayEnd);
    yield mergeByTime(transactions.map(transactionEvent), labels.map(labelEvent));
  }
  const rest = pending.takeAll();
  if (rest.length > 0) yield rest.map(labelEvent);
}

/** Two time-ordered lists into one; a transaction goes before a label of the same millisecond. */
function mergeByTime(transactions: StreamEvent[], labels: StreamEvent[]): StreamEvent[] {
  if (labels.length === 0) return transactions;
  const out: StreamEvent[] = [];
  let l = 0;
  for (const tx of transactions) {
    while (l < labels.length && (labels[l]?.timestamp ?? 0) < tx.timestamp)
      out.push(labels[l++] as StreamEvent);
    out.push(tx);
  }
  while (l < labels.length) out.push(labels[l++] as StreamEvent);
  return out;
}
