/**
 * The schemas evolve BACKWARD-compatibly: `runId` joined Customer, Merchant and FraudLabel after
 * their first release, with a default, so a consumer on today's schema reads records written under
 * the first one (avsc's schema resolution, the same rules the registry checks).
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { AvroSchema } from '../../../core/registry/codec.ts';
import { schemaOf } from '../../../sinks/tables.ts';

/** The schema as first released: today's without the fields added since. */
function firstRelease(schema: AvroSchema, added: readonly string[]): AvroSchema {
  const fields = schema.fields as { name: string }[];
  return { ...schema, fields: fields.filter((field) => !added.includes(field.name)) };
}

describe('schema evolution', () => {
  it.each(['customers', 'merchants', 'labels'] as const)(
    '%s: records of the first release read with runId ""',
    (kind) => {
      const current = schemaOf(kind);
      const runId = (current.fields as { name: string; default?: unknown }[]).find(
        (field) => field.name === 'runId',
      );
      expect(runId?.default).toBe('');
      const writer = avro.Type.forSchema(firstRelease(current, ['runId']) as avro.Schema);
      const reader = avro.Type.forSchema(current as avro.Schema);
      const old = writer.random() as unknown as Record<string, unknown>;
      const read = reader.fromBuffer(writer.toBuffer(old), reader.createResolver(writer)) as Record<
        string,
        unknown
      >;
      expect(read.runId).toBe('');
      for (const [field, value] of Object.entries(old)) expect(read[field], field).toEqual(value);
      // And a new record carries its run.
      const fresh = { ...old, runId: 'run-1' };
      expect((reader.fromBuffer(reader.toBuffer(fresh)) as Record<string, unknown>).runId).toBe('run-1');
    },
  );

  it.each([
    ['labels', { labelStatus: 'REPORTED', labelVersion: 1, labelFinal: true }],
    ['labeled', { labelStatus: 'REPORTED', labelVersion: 1, labelFinal: true, labelAgeMs: 0 }],
  ] as const)('%s: records written before label versions read with their defaults', (kind, defaults) => {
    const current = schemaOf(kind);
    const writer = avro.Type.forSchema(firstRelease(current, Object.keys(defaults)) as avro.Schema);
    const reader = avro.Type.forSchema(current as avro.Schema);
    const old = writer.random() as unknown as Record<string, unknown>;
    const read = reader.fromBuffer(writer.toBuffer(old), reader.createResolver(writer)) as Record<
      string,
      unknown
    >;
    expect(read).toMatchObject(defaults);
    for (const [field, value] of Object.entries(old)) expect(read[field], field).toEqual(value);
  });
});
