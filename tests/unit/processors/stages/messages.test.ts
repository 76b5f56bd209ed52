import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../../processors/engine/task.ts';
import { parseMerchantFeatures } from '../../../../processors/stages/messages.ts';

const message = (id: string) => ({ id, c: 'C1', v: { merchantRisk7d: 0.5 }, late: false });

describe('merchant features records', () => {
  it('read a block as its messages in order, and a single message of earlier versions as a block of one', () => {
    const block = [message('T1'), message('T2'), message('T3')];
    expect(parseMerchantFeatures(Buffer.from(JSON.stringify(block)))).toEqual(block);
    expect(parseMerchantFeatures(Buffer.from(JSON.stringify(message('T9'))))).toEqual([message('T9')]);
  });

  it('refuse a block with one bad entry as a whole, and what is not JSON', () => {
    const bad = Buffer.from(JSON.stringify([message('T1'), { id: 'T2' }]));
    expect(() => parseMerchantFeatures(bad)).toThrow(InvalidRecordError);
    expect(() => parseMerchantFeatures(Buffer.from('not json'))).toThrow(/not JSON/);
    expect(() => parseMerchantFeatures(null)).toThrow(InvalidRecordError);
  });
});
