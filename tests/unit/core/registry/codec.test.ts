import { describe, expect, it } from 'vitest';
import { createRegistryCodec } from '../../../../core/registry/codec.ts';

// No registry is contacted: these cover the wire-format header, which needs none.
const codec = createRegistryCodec({ url: 'http://127.0.0.1:1/apis/ccompat/v7', compatibility: 'BACKWARD' });

describe('registry codec wire format', () => {
  it('reads the big-endian schema id after the magic byte', () => {
    const message = Buffer.from([0, 0, 0, 1, 2, 0xaa]);
    expect(codec.schemaIdOf(message)).toBe(258);
  });

  it('refuses a message without the magic byte', () => {
    expect(() => codec.schemaIdOf(Buffer.from([1, 0, 0, 0, 1]))).toThrow(/wire format/);
  });

  it('refuses a message shorter than the header', () => {
    expect(() => codec.schemaIdOf(Buffer.from([0, 0]))).toThrow(/wire format/);
  });

  it('reports a decode failure as MESSAGE_DECODE_FAILED', async () => {
    await expect(codec.decode(Buffer.from('garbage'))).rejects.toMatchObject({
      code: 'MESSAGE_DECODE_FAILED',
    });
  });
});
