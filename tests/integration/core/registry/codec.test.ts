/** The registry codec on the real registry of the stack. */
import { describe, expect, inject, it } from 'vitest';
import { createRegistryCodec } from '../../../../core/registry/codec.ts';
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
});
