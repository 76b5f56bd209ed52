import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../../processors/engine/task.ts';
import {
  MERCHANT_FEATURE_NAMES,
  MerchantFeatureBlocks,
  MerchantInputBlocks,
  parseMerchantFeatures,
  readMerchantInput,
} from '../../../../processors/stages/messages.ts';

const values = Object.fromEntries(MERCHANT_FEATURE_NAMES.map((name, i) => [name, i / 7]));
const message = (id: string) => ({ id, v: values, late: false });

describe('merchant features records', () => {
  it('carry a block of purchases in order, binary or in the JSON layouts of earlier versions', () => {
    const blocks = new MerchantFeatureBlocks();
    blocks.add(2, 'T1', values, false);
    blocks.add(0, 'T2', values, true);
    blocks.add(2, 'T3', values, false);
    const written = blocks.take();
    expect(written.map((block) => block.partition)).toEqual([0, 2]);
    expect(parseMerchantFeatures((written[1] as { value: Buffer }).value)).toEqual([
      message('T1'),
      message('T3'),
    ]);
    expect(parseMerchantFeatures((written[0] as { value: Buffer }).value)).toEqual([
      { ...message('T2'), late: true },
    ]);
    expect(blocks.take()).toEqual([]);

    const json = [message('T1'), message('T2')];
    expect(parseMerchantFeatures(Buffer.from(JSON.stringify(json)))).toEqual(json);
    expect(parseMerchantFeatures(Buffer.from(JSON.stringify(message('T9'))))).toEqual([message('T9')]);
  });

  it('refuse a block with one bad entry as a whole, a truncated block, and what is not JSON', () => {
    const bad = Buffer.from(JSON.stringify([message('T1'), { id: 'T2' }]));
    expect(() => parseMerchantFeatures(bad)).toThrow(InvalidRecordError);
    expect(() => parseMerchantFeatures(Buffer.from('not json'))).toThrow(/not JSON/);
    expect(() => parseMerchantFeatures(null)).toThrow(InvalidRecordError);
    const blocks = new MerchantFeatureBlocks();
    blocks.add(0, 'T1', values, false);
    const value = (blocks.take()[0] as { value: Buffer }).value;
    expect(() => parseMerchantFeatures(value.subarray(0, value.length - 3))).toThrow(/truncated/);
  });
});

describe('merchant input records', () => {
  const tx = {
    transactionId: 'T1',
    customerId: 'C1',
    merchantId: 'M1',
    terminalId: 'M1-T2',
    eventTime: 1.5e12,
  };

  it('carry purchases, labels and heartbeats for one merchant partition in the order sent', () => {
    const blocks = new MerchantInputBlocks();
    blocks.tx(1, 3, tx, true);
    blocks.label(1, { p: 3, id: 'L1', m: 'M1', tm: 'M1-T2', tt: 1.4e12, r: 1.5e12, fraud: true });
    blocks.watermark(1, 3, 6, 1.5e12 + 1, false);
    blocks.watermark(0, 3, 6, 1.5e12 + 1, true);
    const [first, second] = blocks.take() as { partition: number; value: Buffer }[];
    expect(first?.partition).toBe(0);
    expect(readMerchantInput(first?.value ?? null)).toEqual([
      { k: 'wm', p: 3, of: 6, wm: 1.5e12 + 1, idle: true },
    ]);
    expect(second?.partition).toBe(1);
    expect(readMerchantInput(second?.value ?? null)).toEqual([
      { k: 'tx', p: 3, f: tx, late: true },
      { k: 'lb', p: 3, id: 'L1', m: 'M1', tm: 'M1-T2', tt: 1.4e12, r: 1.5e12, fraud: true },
      { k: 'wm', p: 3, of: 6, wm: 1.5e12 + 1, idle: false },
    ]);
  });

  it('read one JSON message of earlier versions as a block of one, and refuse what they cannot read', () => {
    const old = { k: 'wm', p: 0, of: 3, wm: 5, idle: false };
    expect(readMerchantInput(Buffer.from(JSON.stringify(old)))).toEqual([old]);
    expect(() => readMerchantInput(Buffer.from('{"k":"zz","p":1}'))).toThrow(/unknown kind/);
    expect(() => readMerchantInput(null)).toThrow(InvalidRecordError);
    const blocks = new MerchantInputBlocks();
    blocks.tx(0, 0, tx, false);
    const value = (blocks.take()[0] as { value: Buffer }).value;
    expect(() => readMerchantInput(value.subarray(0, 10))).toThrow(/truncated/);
    expect(() => readMerchantInput(Buffer.from([1, 9]))).toThrow(/unknown message kind 9/);
  });
});
