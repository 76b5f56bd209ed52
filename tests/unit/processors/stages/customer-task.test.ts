import { describe, expect, it } from 'vitest';
import { outputCodec } from '../../../../processors/avro.ts';
import { internalTopics, parseProcessorConfig } from '../../../../processors/config.ts';
import { featuresSchema, labeledSchema } from '../../../../processors/features/catalog.ts';
import { CustomerTask } from '../../../../processors/stages/customer-task.ts';
import { decodeEntry } from '../../../../processors/stages/entry-codec.ts';

const config = parseProcessorConfig({ applicationId: 'unit' });

function task(): CustomerTask {
  return new CustomerTask({
    partition: 0,
    partitions: 1,
    merchantPartitions: 1,
    config,
    internal: internalTopics(config),
    codecs: { features: outputCodec(1, featuresSchema()), labeled: outputCodec(2, labeledSchema()) },
  });
}

const stored = (id: string, t: number) => ({ i: id, t, a: 1000, m: 'M1', la: 1, lo: 2, e: true, l: false });

describe('customer task changelog layout', () => {
  it('keeps one key per purchase, and moves a day key of an older changelog to that layout', () => {
    const restored = task();
    restored.restore([
      {
        key: 'd|C1|20000',
        value: JSON.stringify([stored('T1', 20_000 * 86_400_000), stored('T2', 20_000 * 86_400_000 + 1)]),
      },
      { key: 't|C1|T3', value: JSON.stringify(stored('T3', 20_000 * 86_400_000 + 2)) },
    ]);
    expect(restored.stateSize().purchases).toBe(3);
    const changelog = restored.takeOutput().changelog;
    const byKey = new Map(changelog.map((record) => [record.key, record.value]));
    // The day key is deleted, its purchases written under their own keys.
    expect(byKey.get('d|C1|20000')).toBeNull();
    // Written in the current binary layout, read back to the same purchase.
    expect(decodeEntry(byKey.get('t|C1|T1') as Buffer)).toMatchObject({ i: 'T1', t: 20_000 * 86_400_000 });
    expect(decodeEntry(byKey.get('t|C1|T2') as Buffer)).toMatchObject({ i: 'T2' });
    expect((byKey.get('t|C1|T1') as Buffer)[0]).toBe(2); // the current layout (2: with the terminal)

    // What it wrote restores the same state, without the day key.
    const again = task();
    again.restore([
      { key: 'd|C1|20000', value: JSON.stringify([stored('T1', 0), stored('T2', 1)]) },
      { key: 't|C1|T3', value: JSON.stringify(stored('T3', 2)) },
      ...changelog,
    ]);
    expect(again.stateSize().purchases).toBe(3);
  });
});
