/**
 * Decoding only the fields a reader uses: the processors' facts from a projected record equal the
 * facts from the whole record (so the field lists in processors/stages/inputs.ts are complete),
 * and an older writer schema still reads with its defaults.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { SynfinError } from '../../../../core/errors.ts';
import type { AvroSchema, RegistryCodec } from '../../../../core/registry/codec.ts';
import { projectingDecoder } from '../../../../core/registry/projection.ts';
import {
  CUSTOMER_FIELDS,
  customerFacts,
  LABEL_FIELDS,
  labelFacts,
  TRANSACTION_FIELDS,
  transactionFacts,
} from '../../../../processors/stages/inputs.ts';
import { loadSchema } from '../../../../producers/avro.ts';
import type { EventKind } from '../../../../producers/stream.ts';
import { generateAll, generatorConfig } from '../../../fixtures/generated.ts';

/** The codec's lookup side over schemas held here: what the projection asks of it. */
function schemasById(schemas: Map<number, AvroSchema>): RegistryCodec {
  const types = new Map([...schemas].map(([id, schema]) => [id, avro.Type.forSchema(schema as avro.Schema)]));
  const schemaIdOf = (message: Buffer) => message.readUInt32BE(1);
  return {
    register: async () => 0,
    encode: async () => Buffer.alloc(0),
    decodeKnown: (message) => types.get(schemaIdOf(message))?.fromBuffer(message.subarray(5)),
    decode: async (message) => {
      const type = types.get(schemaIdOf(message));
      if (!type) throw new SynfinError('MESSAGE_DECODE_FAILED', 'unknown schema id');
      return type.fromBuffer(message.subarray(5));
    },
    knownSchema: (id) => schemas.get(id),
    schemaIdOf,
  };
}

function wire(id: number, schema: AvroSchema, value: unknown): Buffer {
  const body = avro.Type.forSchema(schema as avro.Schema).toBuffer(value);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1);
  return Buffer.concat([header, body]);
}

const events = generateAll(generatorConfig({ customers: 200, days: 4 }));
const cases: [EventKind, readonly string[], (value: unknown) => unknown][] = [
  ['transaction', TRANSACTION_FIELDS, transactionFacts],
  ['label', LABEL_FIELDS, labelFacts],
  ['customer', CUSTOMER_FIELDS, customerFacts],
];

describe('projected decoding', () => {
  it.each(cases)('gives the %s facts of the whole record', async (kind, fields, facts) => {
    const schema = loadSchema(kind);
    const decoder = projectingDecoder(schemasById(new Map([[7, schema]])), new Set(fields));
    const values = events.filter((event) => event.kind === kind).map((event) => event.value);
    expect(values.length).toBeGreaterThan(10);
    for (const value of values) {
      const message = wire(7, schema, value);
      const projected = decoder.decodeKnown(message) ?? (await decoder.decode(message));
      expect(facts(projected)).toEqual(
        facts(avro.Type.forSchema(schema as avro.Schema).fromBuffer(message.subarray(5))),
      );
      // Only the listed fields are decoded.
      expect(Object.keys(projected as object).every((name) => fields.includes(name))).toBe(true);
    }
  });

  it('reads a label written before its version fields with their defaults', () => {
    const current = loadSchema('label');
    const older = {
      ...current,
      fields: (current.fields as { name: string }[]).filter(
        (field) => !['labelStatus', 'labelVersion', 'labelFinal'].includes(field.name),
      ),
    };
    const label = events.find((event) => event.kind === 'label')?.value as unknown as Record<string, unknown>;
    const decoder = projectingDecoder(schemasById(new Map([[3, older]])), new Set(LABEL_FIELDS));
    const read = labelFacts(decoder.decodeKnown(wire(3, older, label)));
    expect(read).toMatchObject({
      labelId: label.labelId,
      labelStatus: 'REPORTED',
      labelVersion: 1,
      labelFinal: true,
    });
  });

  it('says undefined before the schema is known, and refuses a body that is not of it', () => {
    const schema = loadSchema('customer');
    const customer = events.find((event) => event.kind === 'customer')?.value;
    const decoder = projectingDecoder(schemasById(new Map([[5, schema]])), new Set(CUSTOMER_FIELDS));
    expect(decoder.decodeKnown(wire(9, schema, customer))).toBeUndefined();
    const truncated = wire(5, schema, customer).subarray(0, 12);
    expect(() => decoder.decodeKnown(truncated)).toThrow(SynfinError);
  });
});
