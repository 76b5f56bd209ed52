import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, type SerializedEntry } from '../../../../processors/stages/entry-codec.ts';

const full: SerializedEntry = {
  i: 'T1',
  t: 1_733_000_000_123,
  a: 12_345,
  m: 'M1',
  la: 48.1374,
  lo: 11.5755,
  e: false,
  l: true,
  f: {
    transactionId: 'T1',
    customerId: 'C1',
    merchantId: 'M1',
    terminalId: 'TM1',
    runId: 'r',
    eventTime: 1_733_000_000_123,
    amountMinor: 12_345,
    currency: 'EUR',
    channel: 'online',
    merchantCategory: 'grocery',
    localHour: 23,
    latitude: 48.1374,
    longitude: 11.5755,
  },
  cf: { customerTxCount1d: 3, isNight: true, distanceFromHomeKm: null, firstSeen: 'x', tags: ['a', 'b'] },
  mf: { merchantRisk7d: 0.125 },
  lb: {
    labelId: 'L1',
    transactionId: 'T1',
    customerId: 'C1',
    merchantId: 'M1',
    isFraud: true,
    scenario: 'card_testing',
    reportChannel: 'chargeback',
    transactionTime: 1_733_000_000_123,
    reportedAt: 1_733_100_000_000,
  },
  x: Buffer.from([0, 0, 0, 0, 7, 1, 2, 3]),
};

describe('purchase changelog values', () => {
  it('round-trip every field exactly in the binary layout, which is smaller than the JSON one', () => {
    const encoded = encodeEntry(full);
    expect(encoded[0]).toBe(1);
    expect(decodeEntry(encoded)).toEqual(full);
    const bare = { ...full, f: null, cf: null, mf: null, lb: null, x: null };
    expect(decodeEntry(encodeEntry(bare))).toEqual(bare);
    expect(encoded.length).toBeLessThan(
      JSON.stringify({ ...full, x: full.x?.toString('base64') }).length * 0.7,
    );
  });

  it('reads the JSON layout of earlier versions, as text or as bytes', () => {
    const json = JSON.stringify({ ...full, lb: undefined, x: full.x?.toString('base64') });
    const expected = { ...full, lb: null };
    expect(decodeEntry(json)).toEqual(expected);
    expect(decodeEntry(Buffer.from(json))).toEqual(expected);
  });

  it('grows its scratch space for a value larger than it', () => {
    const large = { ...full, x: Buffer.alloc(200_000, 5) };
    expect(decodeEntry(encodeEntry(large))).toEqual(large);
  });
});
