import { describe, expect, it } from 'vitest';
import { kraftClusterId } from '../../../../../deploy/local/services/kafka.ts';

describe('kraftClusterId', () => {
  it('is 16 bytes of URL-safe base64 that a command line cannot read as an option', () => {
    // One random id in 64 starts with '-'; 2,000 draws would hit one with certainty ~1 - 1e-14.
    for (let i = 0; i < 2000; i++) {
      const id = kraftClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});
