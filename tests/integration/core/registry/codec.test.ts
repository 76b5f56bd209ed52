/** The registry codec on the real registry of the stack. */
import { describe, expect, inject, it } from 'vitest';
import { SynfinError } from '../../../../core/errors.ts';
import { type AvroSchema, createRegistryCodec } from '../../../../core/registry/codec.ts';
import { schemaOf } from '../../../../sinks/tables.ts';
import { testConfig, uniqueName } from '../../../harness/config.ts';

const config = testConfig(inject('endpoints'));

describe('registry codec', () => {
  it('registers one subject from many instances at once (processor threads starting together)', async () => {
    const subject = `${uniqueName('race')}-value`;
    const schema = {
      type: 'record' as const,
      name: 'Race',
      fields: [{ name: 'id', type: 'string' }],
    };
    // Each codec is a separate instance, as in separate threads or processes: nothing is shared.
    const ids = await Promise.all(
      Array.from({ length: 8 }, () => createRegistryCodec(config.schemaRegistry).register(subject, schema)),
    );
    expect(new Set(ids).size).toBe(1);
    const codec = createRegistryCodec(config.schemaRegistry);
    expect(await codec.decode(await codec.encode(ids[0] as number, { id: 'a' }))).toEqual({ id: 'a' });
  });

  it('accepts the label schemas with label versions over their earlier versions, BACKWARD', async () => {
    const added = ['labelStatus', 'labelVersion', 'labelFinal', 'labelAgeMs'];
    for (const kind of ['labels', 'labeled'] as const) {
      const current = schemaOf(kind);
      const fields = current.fields as { name: string }[];
      const earlier: AvroSchema = { ...current, fields: fields.filter((f) => !added.includes(f.name)) };
      const subject = `${uniqueName(kind)}-value`;
      const codec = createRegistryCodec(config.schemaRegistry);
      const earlierId = await codec.register(subject, earlier);
      expect(await codec.register(subject, current)).not.toBe(earlierId);
      // The registry does check: a field added without a default is refused.
      const breaking: AvroSchema = { ...current, fields: [...fields, { name: 'extra', type: 'string' }] };
      const refused = await codec.register(subject, breaking).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(SynfinError);
      expect((refused as SynfinError).code).toBe('SCHEMA_INCOMPATIBLE');
    }
  });
});
