import { describe, expect, it } from 'vitest';
import { internalTopics, parseProcessorConfig } from '../../../../processors/config.ts';
import { readHistoryBlock } from '../../../../processors/stages/history-block.ts';
import { MerchantTask } from '../../../../processors/stages/merchant-task.ts';

const config = parseProcessorConfig({ applicationId: 'unit' });
const HOUR = 3_600_000;

describe('merchant task changelog layout', () => {
  it('moves hour keys and record offsets of an older changelog to blocks and message positions', () => {
    const task = new MerchantTask({ partition: 0, config, internal: internalTopics(config) });
    task.restore([
      { key: 'm|M1|400000', value: JSON.stringify({ t: [400_000 * HOUR + 1, 400_000 * HOUR + 2], f: [] }) },
      { key: 'n|M1-T1|400000', value: JSON.stringify({ t: [400_000 * HOUR + 1], f: [400_000 * HOUR + 1] }) },
      { key: 'p', value: JSON.stringify({ next: 5, doneAhead: [7] }) },
    ]);
    expect(task.stateSize()).toMatchObject({ merchants: 1, terminals: 1, purchases: 2 });
    const output = task.takeOutput();
    const changelog = task.takeChangelog();
    // Offset 5 of the old layout is message 0 of the record at offset 5: it is read again from there.
    expect(output.offsets).toEqual([{ topic: internalTopics(config).merchantInput, offset: 5 }]);
    const byKey = new Map(changelog.map((record) => [record.key, record.value]));
    expect(byKey.get('m|M1|400000')).toBeNull();
    expect(byKey.get('n|M1-T1|400000')).toBeNull();
    const items: string[] = [];
    readHistoryBlock(byKey.get('b|0') as Buffer, (kind, id, t) => items.push(`${kind}:${id}:${t % HOUR}`));
    expect(items.sort()).toEqual(['0:M1:1', '0:M1:2', '2:M1-T1:1', '3:M1-T1:1']);

    // Restored from what it wrote, the task has the same histories and positions.
    const again = new MerchantTask({ partition: 0, config, internal: internalTopics(config) });
    again.restore(changelog);
    expect(again.stateSize()).toMatchObject({ merchants: 1, terminals: 1, purchases: 2 });
    expect(again.takeOutput().offsets).toEqual(output.offsets);
  });
});
