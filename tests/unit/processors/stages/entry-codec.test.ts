import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../../processors/engine/bytes.ts';
import { customerFamilies, merchantFamilies } from '../../../../processors/features/catalog.ts';
import {
  blockEntrySchema,
  blockSchemaRecord,
  decodeEntry,
  EntryBlockReader,
  EntryBlockWriter,
  encodeEntry,
  type SerializedEntry,
  type StoredLabel,
} from '../../../../processors/stages/entry-codec.ts';

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
  ml: [],
  x: Buffer.from([0, 0, 0, 0, 7, 1, 2, 3]),
  xo: -1,
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

describe('purchase blocks', () => {
  const customerFeatures = Object.fromEntries(
    customerFamilies.flatMap((family) =>
      family.features.map((spec, i) => [
        spec.name,
        spec.type === 'boolean' ? i % 2 === 0 : spec.nullable ? null : i + 0.25,
      ]),
    ),
  );
  const merchantFeatures = Object.fromEntries(
    merchantFamilies.flatMap((family) => family.features.map((spec, i) => [spec.name, i / 3])),
  );
  const versioned = {
    ...(full.lb as StoredLabel),
    labelStatus: 'CORRECTED',
    labelVersion: 2,
    labelFinal: true,
  };
  const catalogShaped: SerializedEntry = {
    ...full,
    cf: customerFeatures,
    mf: merchantFeatures,
    lb: versioned,
    ml: [{ ...versioned, labelId: 'L1-3', labelVersion: 3 }],
  };
  const read = (value: Buffer, schemas = new Map<string, string>()) => {
    const entries: [string, SerializedEntry][] = [];
    new EntryBlockReader(schemas).read(value, (customerId, entry) => entries.push([customerId, entry]));
    return entries;
  };

  it('round-trip every field of purchases with catalog features, in order', () => {
    const writer = new EntryBlockWriter();
    expect(writer.add('C1', catalogShaped)).toBe(true);
    expect(writer.add('C2', { ...full, i: 'T2', f: null, cf: null, mf: null, lb: null, x: null })).toBe(
      false,
    );
    const [block] = writer.take();
    const entries = read(block as Buffer);
    expect(entries.map(([customerId]) => customerId)).toEqual(['C1', 'C2']);
    expect({ ...entries[0]?.[1], cf: { ...entries[0]?.[1].cf }, mf: { ...entries[0]?.[1].mf } }).toEqual(
      catalogShaped,
    );
    expect(entries[1]?.[1]).toMatchObject({ i: 'T2', f: null, cf: null, x: null });
  });

  /**
   * A block of customer C1 written by an older version: this version's block schema with
   * only the fields `keeps` accepts in record field `field`, and the schema record stored with it.
   */
  const olderBlock = (field: string, keeps: (name: string) => boolean, entry: SerializedEntry) => {
    const older = JSON.parse(JSON.stringify(blockEntrySchema())) as {
      fields: { name: string; type: unknown }[];
    };
    const record = older.fields.find((f) => f.name === field) as {
      type: [string, { fields: { name: string }[] }];
    };
    record.type[1].fields = record.type[1].fields.filter((f) => keeps(f.name));
    const olderType = avro.Type.forSchema(older as avro.Schema, { wrapUnions: false });
    const fingerprint = olderType.fingerprint('md5').subarray(0, 8).toString('hex');
    const writer = new ByteWriter();
    writer.u8(3);
    writer.bytes(Buffer.from(fingerprint, 'hex'));
    writer.string('C1');
    writer.avro(olderType, entry);
    return {
      value: writer.take(),
      fingerprint,
      schemas: new Map([[`e|${fingerprint}`, JSON.stringify(older)]]),
    };
  };

  it('reads a held label of a block written before label versions with the schema defaults', () => {
    const { value, schemas } = olderBlock(
      'lb',
      (name) => !['labelStatus', 'labelVersion', 'labelFinal'].includes(name),
      { ...catalogShaped, lb: full.lb, ml: [] },
    );
    expect(read(value, schemas)[0]?.[1].lb).toEqual({
      ...full.lb,
      labelStatus: 'REPORTED',
      labelVersion: 1,
      labelFinal: true,
    });
  });

  it('reads a block written with an older catalog through the schema stored beside it', () => {
    // The block schema of a version without the txDuringNight feature (its default is false).
    const { txDuringNight: _, ...olderFeatures } = customerFeatures;
    const { value, schemas, fingerprint } = olderBlock('cf', (name) => name !== 'txDuringNight', {
      ...catalogShaped,
      cf: olderFeatures,
    });
    expect(read(value, schemas)[0]?.[1].cf).toMatchObject({ ...olderFeatures, txDuringNight: false });
    expect(() => read(value)).toThrow(`no schema ${fingerprint} in the changelog`);
    // This version's own schema record names the fingerprint its blocks carry.
    expect(blockSchemaRecord().key).toMatch(/^e\|[0-9a-f]{16}$/);
  });
});
