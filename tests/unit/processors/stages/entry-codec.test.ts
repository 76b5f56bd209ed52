import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, type SerializedEntry } from '../../../../processors/stages/entry-codec.ts';

const full: SerializedEntry = {
  i: 'T1',
  t: 1_733_000_000_123,
  a: 12_345,
  m: 'M1',
  tm: 'TM1',
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
    expect(encoded[0]).toBe(2);
    expect(decodeEntry(encoded)).toEqual(full);
    const bare = { ...full, f: null, cf: null, mf: null, lb: null, x: null };
    expect(decodeEntry(encodeEntry(bare))).toEqual(bare);
    expect(encoded.length).toBeLessThan(
      JSON.stringify({ ...full, x: full.x?.toString('base64') }).length * 0.7,
    );
  });

  it('reads the binary layout before the terminal was kept, with the terminal unknown', () => {
    const unknown = { ...full, tm: '' };
    const current = encodeEntry(unknown);
    // Layout 1 is layout 2 without the terminal: here its one byte (the empty string's length)
    // after tag (1), i (1 + 2), t (8), a (8) and m (1 + 2).
    const at = 1 + 3 + 8 + 8 + 3;
    expect(current[at]).toBe(0);
    const v1 = Buffer.concat([Buffer.from([1]), current.subarray(1, at), current.subarray(at + 1)]);
    expect(decodeEntry(v1)).toEqual(unknown);
  });

  it('reads the JSON layout of earlier versions, as text or as bytes', () => {
    const json = JSON.stringify({ ...full, tm: undefined, lb: undefined, x: full.x?.toString('base64') });
    const expected = { ...full, tm: '', lb: null };
    expect(decodeEntry(json)).toEqual(expected);
    expect(decodeEntry(Buffer.from(json))).toEqual(expected);
  });

  it('grows its scratch space for a value larger than it', () => {
    const large = { ...full, x: Buffer.alloc(200_000, 5) };
    expect(decodeEntry(encodeEntry(large))).toEqual(large);
  });
});
