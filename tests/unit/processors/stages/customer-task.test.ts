import { describe, expect, it } from 'vitest';
import { outputCodec } from '../../../../processors/avro.ts';
import { internalTopics, parseProcessorConfig } from '../../../../processors/config.ts';
import { featuresSchema, labeledSchema } from '../../../../processors/features/catalog.ts';
import { CustomerTask, type CustomerTaskCount } from '../../../../processors/stages/customer-task.ts';
import {
  blockSchemaRecord,
  EntryBlockReader,
  EntryBlockWriter,
  fromJson,
} from '../../../../processors/stages/entry-codec.ts';

const config = parseProcessorConfig({ applicationId: 'unit' });

function task(onCount?: (what: CustomerTaskCount) => void): CustomerTask {
  return new CustomerTask({
    ...(onCount ? { onCount } : {}),
    partition: 0,
    partitions: 1,
    merchantPartitions: 1,
    config,
    internal: internalTopics(config),
    codecs: { features: outputCodec(1, featuresSchema()), labeled: outputCodec(2, labeledSchema()) },
  });
}

const stored = (id: string, t: number) => ({ i: id, t, a: 1000, m: 'M1', la: 1, lo: 2, e: true, l: false });

const DAY = 86_400_000;

/** A block of stored purchases of customer C1, as the task writes them. */
function block(...entries: ReturnType<typeof stored>[]): Buffer {
  const writer = new EntryBlockWriter();
  for (const entry of entries) writer.add('C1', fromJson(entry));
  return writer.take()[0] as Buffer;
}

function blockIds(value: Buffer): string[] {
  const ids: string[] = [];
  new EntryBlockReader(new Map()).read(value, (customerId, entry) => ids.push(`${customerId}/${entry.i}`));
  return ids;
}

describe('customer task changelog layout', () => {
  it('writes the purchases of a commit as one block, and moves the key layouts of older changelogs to it', () => {
    const restored = task();
    restored.restore([
      {
        key: 'd|C1|20000',
        value: JSON.stringify([stored('T1', 20_000 * DAY), stored('T2', 20_000 * DAY + 1)]),
      },
      { key: 't|C1|T3', value: JSON.stringify(stored('T3', 20_000 * DAY + 2)) },
    ]);
    expect(restored.stateSize().purchases).toBe(3);
    restored.takeOutput();
    const changelog = restored.takeChangelog([]);
    const byKey = new Map(changelog.map((record) => [record.key, record.value]));
    // The old keys are deleted, their purchases written in one block of the current layout.
    expect(byKey.get('d|C1|20000')).toBeNull();
    expect(byKey.get('t|C1|T3')).toBeNull();
    const written = byKey.get('b|0') as Buffer;
    expect(written[0]).toBe(3);
    expect(blockIds(written).sort()).toEqual(['C1/T1', 'C1/T2', 'C1/T3']);
    expect(byKey.has('b|1')).toBe(false);
    // The schema of the blocks is stored beside them, once.
    expect(byKey.get(blockSchemaRecord().key)).toBe(blockSchemaRecord().value);

    // What it wrote restores the same state, without the old keys.
    const again = task();
    again.restore([
      { key: 'd|C1|20000', value: JSON.stringify([stored('T1', 0), stored('T2', 1)]) },
      { key: 't|C1|T3', value: JSON.stringify(stored('T3', 2)) },
      ...changelog,
    ]);
    expect(again.stateSize().purchases).toBe(3);
    expect(
      again.takeChangelog([]).filter((record) => record.key.startsWith('b|') || record.key.startsWith('e|')),
    ).toEqual([]);
  });

  it('restores the latest copy of a purchase, and deletes a block once none of its copies is current', () => {
    const restored = task();
    // Block 1 holds a later copy of T1 (emitted) than block 0 (still waiting); blocks may come in any order.
    restored.restore([
      {
        key: 'b|1',
        value: block({ ...stored('T1', 20_000 * DAY), e: true }, stored('T2', 20_000 * DAY + 1)),
      },
      { key: 'b|0', value: block({ ...stored('T1', 20_000 * DAY), e: false }) },
    ]);
    expect(restored.stateSize()).toMatchObject({ purchases: 2, awaiting_merchant: 0 });
    const byKey = new Map(restored.takeChangelog([]).map((record) => [record.key, record.value]));
    expect(byKey.get('b|0')).toBeNull();
    expect(byKey.has('b|1')).toBe(false);
  });

  it('drops again the purchases a block still holds from before the last sweep', () => {
    const restored = task();
    restored.restore([
      { key: 'b|0', value: block(stored('T1', 20_000 * DAY), stored('T2', 20_040 * DAY)) },
      { key: 's', value: JSON.stringify({ day: 20_040, cutoff: 20_001 * DAY }) },
    ]);
    expect(restored.stateSize().purchases).toBe(1);
  });
});

describe('customer task inputs going idle', () => {
  const { topics, idleMs } = config;
  const purchase = {
    transactionId: 'T1',
    customerId: 'C1',
    merchantId: 'M1',
    terminalId: 'M1-T1',
    runId: 'unit',
    eventTime: 20_000 * DAY,
    amountMinor: 1000,
    currency: 'EUR',
    channel: 'pos',
    merchantCategory: 'grocery',
    localHour: 12,
    merchantLatitude: 1,
    merchantLongitude: 2,
  };
  const record = (topic: string, value: unknown) => ({
    topic,
    partition: 0,
    offset: 0,
    key: 'C1',
    value: Buffer.alloc(0),
    decoded: { ok: true as const, value },
  });
  const toMerchants = (from: CustomerTask) =>
    from.takeOutput().records.filter((out) => out.topic === internalTopics(config).merchantInput);

  it('counts an input that has brought nothing yet as silent from its first tick, not from ever', () => {
    const waiting = task();
    const caughtUp = () => true;
    // Every input is caught up (empty) when the task starts.
    waiting.tick(0, caughtUp);
    // A later purchase moves the transactions input past the first.
    const later = { ...purchase, transactionId: 'T2', eventTime: purchase.eventTime + config.latenessMs + 1 };
    waiting.process(
      [record(topics.transactions, purchase), { ...record(topics.transactions, later), offset: 1 }],
      10,
    );
    waiting.tick(idleMs - 1, caughtUp);
    // The customers input (the home) and the labels input still hold the purchase back.
    expect(toMerchants(waiting)).toEqual([]);
    waiting.tick(idleMs + 10, caughtUp);
    expect(toMerchants(waiting).length).toBeGreaterThan(0);
  });
});

describe('customer task purchase ids', () => {
  const { topics, idleMs } = config;
  const t = 20_000 * DAY;
  // The generator's form (<run>-<customer>-<n>) is kept as a number once emitted; every other form
  // as the string: each must still be found by its exact id, and written back unchanged.
  const ids = [
    'run-C1-7',
    'run-C1-12',
    'run-C1-007',
    'run-C1-0',
    'run-C1-1234567890',
    'other-C1-3',
    'c0ffee-uuid-like',
    '42',
  ];
  const label = (transactionId: string, offset: number) => ({
    topic: topics.labels,
    partition: 0,
    offset,
    key: 'C1',
    value: Buffer.alloc(0),
    decoded: {
      ok: true as const,
      value: {
        labelId: `L-${transactionId}`,
        transactionId,
        customerId: 'C1',
        merchantId: 'M1',
        isFraud: true,
        scenario: 'card_testing',
        reportChannel: 'chargeback',
        transactionTime: t,
        reportedAt: t + DAY + offset,
      },
    },
  });

  it('finds each purchase by its exact id and writes every id back as it came', () => {
    const counts: CustomerTaskCount[] = [];
    const restored = task((what) => counts.push(what));
    // Emitted purchases whose features records are at offsets 100, 101, …, all at the same time
    // (so the lookup compares ids, not times).
    const writer = new EntryBlockWriter();
    for (const [index, id] of ids.entries())
      writer.add('C1', { ...fromJson(stored(id, t)), xo: 100 + index });
    restored.restore([{ key: 'b|0', value: writer.take()[0] as Buffer }]);
    const caughtUp = () => true;
    restored.tick(0, caughtUp);
    // One label per purchase, and labels naming ids that are near but not the same.
    const wanted = [...ids, 'run-C1-07', 'run-C1-70', 'run-C1-', 'other-C1-03'];
    restored.process(
      wanted.map((id, offset) => label(id, offset)),
      1,
    );
    restored.tick(idleMs + 10, caughtUp);
    expect(restored.lookups().map((lookup) => lookup.offset)).toEqual(ids.map((_, index) => 100 + index));
    expect(counts.filter((what) => what === 'label_unmatched')).toHaveLength(4);
    restored.resolve(ids.map(() => null));
    restored.takeOutput();
    const written = restored
      .takeChangelog([])
      .filter((record) => record.key.startsWith('b|'))
      .flatMap((record) => (record.value ? blockIds(record.value as Buffer) : []));
    expect(written.sort()).toEqual(ids.map((id) => `C1/${id}`).sort());
  });
});
