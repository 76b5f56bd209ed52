import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bodyEncoder } from '../../../core/registry/wire-encoder.ts';
import { avroType, EVENT_KINDS, loadSchema } from '../../../producers/avro.ts';
import type { StreamEvent } from '../../../producers/stream.ts';
import { completeLabels, generateAll, generatorConfig } from '../../fixtures/generated.ts';

const encoders = Object.fromEntries(
  EVENT_KINDS.map((kind) => [kind, bodyEncoder(avroType(loadSchema(kind)))]),
);

/** Hash of the stream as it would go on the wire: per event its kind, key, timestamp and Avro body. */
function streamHash(events: readonly StreamEvent[]): string {
  const hash = createHash('sha256');
  for (const event of events) {
    hash.update(`${event.kind}|${event.key}|${event.timestamp}|`);
    hash.update(encoders[event.kind]?.(event.value) ?? Buffer.alloc(0));
  }
  return hash.digest('hex');
}

describe('backfill stream', () => {
  const config = generatorConfig({ customers: 300, days: 7 });
  const first = generateAll(config);

  it('is byte-identical for the same seed and config', () => {
    expect(first.length).toBeGreaterThan(5_000);
    expect(streamHash(generateAll(config))).toBe(streamHash(first));
  });

  it('differs for a different seed', () => {
    expect(streamHash(generateAll(generatorConfig({ customers: 300, days: 7, seed: 8 })))).not.toBe(
      streamHash(first),
    );
  });

  it('publishes every entity before the first transaction', () => {
    const firstTransaction = first.findIndex((event) => event.kind === 'transaction');
    const lastEntity = first.findLastIndex((event) => event.kind === 'customer' || event.kind === 'merchant');
    expect(lastEntity).toBeLessThan(firstTransaction);
  });

  it('keeps transactions and labels in event-time order', () => {
    // Labels still pending after the last transaction follow at the end, themselves in order.
    const lastTx = first.findLastIndex((event) => event.kind === 'transaction');
    const firstTx = first.findIndex((event) => event.kind === 'transaction');
    const timeline = first.slice(firstTx);
    let outOfOrder = 0;
    for (let i = 1; i < timeline.length; i++) {
      if (i !== lastTx - firstTx + 1 && (timeline[i]?.timestamp ?? 0) < (timeline[i - 1]?.timestamp ?? 0))
        outOfOrder += 1;
    }
    expect(outOfOrder).toBe(0);
  });

  it('keys transactions and labels by customer, entities by their id', () => {
    for (const event of first) {
      if (event.kind === 'transaction' || event.kind === 'label')
        expect(event.key).toBe(event.value.customerId);
      if (event.kind === 'customer') expect(event.key).toBe(event.value.customerId);
      if (event.kind === 'merchant') expect(event.key).toBe(event.value.merchantId);
    }
  });

  it('stops after maxTransactions and still gives each transaction all its labels', () => {
    const events = generateAll(
      generatorConfig({ customers: 300, days: 7, maxTransactions: 1234, fraud: completeLabels(200) }),
    );
    const transactions = events.filter((event) => event.kind === 'transaction');
    expect(transactions).toHaveLength(1234);
    const fraudIds = new Set(
      transactions.flatMap((e) =>
        e.kind === 'transaction' && e.source.fraudScenario ? [e.value.transactionId] : [],
      ),
    );
    const labels = events.flatMap((e) => (e.kind === 'label' ? [e.value] : []));
    const ids = new Set(transactions.map((e) => (e.kind === 'transaction' ? e.value.transactionId : '')));
    expect(labels.every((label) => ids.has(label.transactionId))).toBe(true);
    // Complete ground truth (recall 1): every fraud is labelled fraud, labels past the end included.
    expect(new Set(labels.filter((l) => l.isFraud).map((l) => l.transactionId))).toEqual(fraudIds);
    expect(Math.max(...labels.map((l) => l.reportedAt))).toBeGreaterThan(
      Math.max(...transactions.map((e) => e.timestamp)),
    );
  });
});

describe('sharding', () => {
  it('the union of N shards is exactly the single-process stream', () => {
    const base = { customers: 240, merchants: 150, days: 5, fraud: { rate: 0.05 } };
    const single = generateAll(generatorConfig(base));
    const shards = [0, 1, 2].map((index) =>
      generateAll(generatorConfig({ ...base, shard: { index, count: 3 } })),
    );
    const bodies = (events: readonly StreamEvent[]) =>
      events.map(
        (event) =>
          `${event.kind}|${event.key}|${event.timestamp}|${encoders[event.kind]?.(event.value).toString('base64')}`,
      );
    expect(bodies(shards.flat()).sort()).toEqual(bodies(single).sort());
    // Each shard owns a disjoint set of customers, and per-customer order is the same.
    const owners = new Map<string, number>();
    shards.forEach((events, index) => {
      for (const event of events) {
        if (event.kind !== 'customer') continue;
        expect(owners.has(event.key)).toBe(false);
        owners.set(event.key, index);
      }
    });
    const perCustomer = (events: readonly StreamEvent[]) => {
      const order = new Map<string, string[]>();
      for (const event of events) {
        if (event.kind !== 'transaction') continue;
        order.set(event.key, [...(order.get(event.key) ?? []), event.value.transactionId]);
      }
      return order;
    };
    const singleOrder = perCustomer(single);
    for (const events of shards) {
      for (const [customer, ids] of perCustomer(events)) expect(ids).toEqual(singleOrder.get(customer));
    }
    // Merchants are shared reference data: published once, by shard 0.
    expect(shards[1]?.some((event) => event.kind === 'merchant')).toBe(false);
  });
});
