import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRegistryCodec } from '../../../../core/registry/codec.ts';

// No registry is contacted: these cover the wire-format header, which needs none.
const codec = createRegistryCodec({
  url: 'http://127.0.0.1:1/apis/ccompat/v7',
  compatibility: 'BACKWARD',
  requestTimeoutMs: 1000,
});

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

describe('registry requests', () => {
  it('abandons a registration that gets no answer and tries it again', async () => {
    // An HTTP endpoint that leaves the first registration unanswered, as a registry once did here.
    const unanswered: ServerResponse[] = [];
    let registrations = 0;
    const server = createServer((request, response) => {
      request.resume();
      const json = (body: unknown) => {
        response.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
        response.end(JSON.stringify(body));
      };
      if (request.url?.startsWith('/config/'))
        return json({ compatibility: 'BACKWARD', compatibilityLevel: 'BACKWARD' });
      if (request.method === 'POST' && request.url?.endsWith('/versions')) {
        registrations++;
        if (registrations === 1) return void unanswered.push(response);
        return json({ id: 7 });
      }
      response.statusCode = 404;
      json({ error_code: 40401, message: 'not found' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const patient = createRegistryCodec({
        url: `http://127.0.0.1:${port}`,
        compatibility: 'BACKWARD',
        requestTimeoutMs: 300,
      });
      const id = await patient.register('orders-value', { type: 'record', name: 'Order', fields: [] });
      expect(id).toBe(7);
      expect(registrations).toBe(2);
    } finally {
      for (const response of unanswered) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
