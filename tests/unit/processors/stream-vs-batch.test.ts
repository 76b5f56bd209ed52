/**
 * The streaming features against a brute-force batch recomputation over the same events, with
 * events out of order within the allowed lateness, random batching and interleaving of inputs,
 * tasks crashing and restoring from their changelogs mid-stream, and tasks kept through a
 * rebalance (fed again from their committed offsets, their memory intact).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../producers/random.ts';
import type { CustomerRecord, FraudLabelRecord, TransactionRecord } from '../../../producers/records.ts';
import { batchFeatures, sameValue } from '../../fixtures/batch-features.ts';
import { generateAll, generatorConfig, ofKind, promptLabels } from '../../fixtures/generated.ts';
import { Topology } from '../../fixtures/topology.ts';

const HOUR = 3_600_000;
const LATENESS = 2 * HOUR;

function world() {
  const config = generatorConfig({
    customers: 120,
    merchants: 25,
    days: 21,
    fraud: { rate: 0.08, groundTruth: promptLabels(48) },
  });
  const events = generateAll(config);
  return {
    customers: ofKind(events, 'customer').map((e) => e.value),
    transactions: ofKind(events, 'transaction').map((e) => e.value),
    labels: ofKind(events, 'label').map((e) => e.value),
  };
}

/** Arrival order: each purchase delayed by up to half the lateness, then sorted by arrival. */
function disorder<T extends { eventTime: number }>(items: readonly T[], seed: number): T[] {
  const rng = Rng.for(seed, 1, 2, 3);
  return items
    .map((item) => ({ item, arrival: item.eventTime + rng.float() * (LATENESS / 2) }))
    .sort((a, b) => a.arrival - b.arrival)
    .map(({ item }) => item);
}

function feed(
  topology: Topology,
  data: { customers: CustomerRecord[]; transactions: TransactionRecord[]; labels: FraudLabelRecord[] },
) {
  const { topics } = topology.config;
  for (const customer of data.customers) topology.produce(topics.customers, customer.customerId, customer);
  for (const tx of data.transactions) topology.produce(topics.transactions, tx.customerId, tx);
  for (const label of data.labels) topology.produce(topics.labels, label.customerId, label);
}

const data = world();
const expected = batchFeatures({ ...data, labelDelayDays: 2 });

describe.each([
  // labelJoin kafka: a label reads its purchase's features record back from the features topic.
  { seed: 1, crashRate: 0, keepRate: 0, partitions: 3, merchantPartitions: 2, labelJoin: 'memory' },
  { seed: 1, crashRate: 0, keepRate: 0, partitions: 3, merchantPartitions: 2, labelJoin: 'kafka' },
  { seed: 2, crashRate: 0.1, keepRate: 0, partitions: 3, merchantPartitions: 4, labelJoin: 'kafka' },
  { seed: 3, crashRate: 0.25, keepRate: 0, partitions: 1, merchantPartitions: 1, labelJoin: 'memory' },
  { seed: 4, crashRate: 0.05, keepRate: 0.05, partitions: 3, merchantPartitions: 2, labelJoin: 'kafka' },
  { seed: 4, crashRate: 0.05, keepRate: 0, partitions: 3, merchantPartitions: 2, labelJoin: 'memory' },
])(
  'stream vs batch (seed $seed, crash rate $crashRate, keep rate $keepRate, label join $labelJoin)',
  ({ seed, crashRate, keepRate, partitions, merchantPartitions, labelJoin }) => {
    const topology = new Topology({
      seed,
      crashRate,
      keepRate,
      partitions,
      merchantPartitions,
      config: { latenessMs: LATENESS, labelDelayDays: 2, joinHorizonDays: 30, labelJoin },
    });
    feed(topology, { ...data, transactions: disorder(data.transactions, seed) });
    topology.run();
    const features = topology
      .records(topology.config.topics.features)
      .map((record) => topology.codecs.features.decode(record.value as Buffer));

    it('emits every purchase exactly once, none of them late', () => {
      expect(data.transactions.length).toBeGreaterThan(2000);
      const ids = features.map((f) => f.transactionId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(data.transactions.length);
      expect(features.filter((f) => f.late)).toEqual([]);
      if (crashRate > 0) expect(topology.crashes).toBeGreaterThan(10);
      if (keepRate > 0) expect(topology.keeps).toBeGreaterThan(10);
    });

    it('computes every feature as the batch recomputation does', () => {
      const mismatches: string[] = [];
      for (const record of features) {
        const want = expected.get(record.transactionId as string) ?? {};
        for (const [name, value] of Object.entries(want)) {
          if (!sameValue(record[name], value)) {
            mismatches.push(`${record.transactionId} ${name}: stream ${record[name]} batch ${value}`);
          }
        }
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
      // The windows are not trivially empty: merchants have history and some risk.
      expect(features.some((f) => (f.merchantRisk30d as number) > 0)).toBe(true);
      expect(features.some((f) => (f.customerTxCount30d as number) > 10)).toBe(true);
    });

    it('emits per customer in event-time order', () => {
      const last = new Map<string, number>();
      for (const record of features) {
        const previous = last.get(record.customerId as string) ?? Number.NEGATIVE_INFINITY;
        expect(record.eventTime as number).toBeGreaterThanOrEqual(previous);
        last.set(record.customerId as string, record.eventTime as number);
      }
    });

    it('joins every label with the features of its purchase, once', () => {
      const labeled = topology
        .records(topology.config.topics.labeled)
        .map((record) => topology.codecs.labeled.decode(record.value as Buffer));
      // Corrections and cleared disputes among them: every version of a label is joined.
      expect(data.labels.some((l) => l.labelVersion === 2)).toBe(true);
      expect(data.labels.some((l) => !l.isFraud)).toBe(true);
      expect(labeled.length).toBe(data.labels.length);
      const byId = new Map(features.map((f) => [f.transactionId, f]));
      for (const row of labeled) {
        const label = data.labels.find((l) => l.labelId === row.labelId);
        expect(row.isFraud).toBe(label?.isFraud);
        expect(row.scenario).toBe(label?.scenario);
        expect(row).toMatchObject({
          labelStatus: label?.labelStatus,
          labelVersion: label?.labelVersion,
          labelFinal: label?.labelFinal,
          labelAgeMs: (label?.reportedAt ?? 0) - (label?.transactionTime ?? 0),
        });
        const {
          labelId,
          isFraud,
          scenario,
          reportChannel,
          reportedAt,
          labelStatus,
          labelVersion,
          labelFinal,
          labelAgeMs,
          ...features
        } = row;
        expect(features).toEqual(byId.get(row.transactionId));
      }
    });
  },
);

describe('events later than the allowed lateness', () => {
  it('are counted, still emitted, and flagged', () => {
    const topology = new Topology({
      seed: 9,
      crashRate: 0,
      partitions: 1,
      merchantPartitions: 1,
      config: { latenessMs: 1000, labelDelayDays: 2 },
    });
    const sorted = [...data.transactions].sort((a, b) => a.eventTime - b.eventTime);
    const straggler = sorted.splice(100, 1)[0] as TransactionRecord;
    feed(topology, { customers: data.customers, transactions: [...sorted, straggler], labels: [] });
    topology.run();
    const rows = topology
      .records(topology.config.topics.features)
      .map((record) => topology.codecs.features.decode(record.value as Buffer));
    expect(rows.length).toBe(data.transactions.length);
    expect(rows.filter((row) => row.late).map((row) => row.transactionId)).toEqual([straggler.transactionId]);
  });
});
