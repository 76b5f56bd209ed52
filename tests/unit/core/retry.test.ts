import { describe, expect, it } from 'vitest';
import { SynfinError } from '../../../core/errors.ts';
import { fastRetry, withRetry } from '../../../core/retry.ts';

describe('withRetry', () => {
  it('retries a failure that may pass and returns the later success', async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      calls += 1;
      if (calls < 3) throw new Error('broker not ready');
      return 'done';
    }, fastRetry);
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('never retries a programming error', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw new TypeError('undefined is not a function');
      }, fastRetry),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });

  it('never retries a SynfinError marked not retriable', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw new SynfinError('SCHEMA_INCOMPATIBLE', 'no');
      }, fastRetry),
    ).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE' });
    expect(calls).toBe(1);
  });

  it('gives up after the policy retries', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw new SynfinError('KAFKA_UNAVAILABLE', 'down', { retriable: true });
      }, fastRetry),
    ).rejects.toMatchObject({ code: 'KAFKA_UNAVAILABLE' });
    expect(calls).toBe(fastRetry.retries + 1);
  });
});
