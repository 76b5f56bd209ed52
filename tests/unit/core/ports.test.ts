import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../core/ports.ts';

describe('freePort', () => {
  it('hands out a port below the ephemeral range that a listener on every interface can take', async () => {
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      // On Linux the ephemeral range starts at 32768 or above: outgoing connections never take these.
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(28_000);
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
