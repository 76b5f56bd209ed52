import { MultipleErrors, ProtocolError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { afterPreviousTransaction } from '../../../../core/kafka/errors.ts';

/** What the client rejects with once its own retries are spent: every attempt's error, aggregated. */
const spent = (id: string) => new MultipleErrors('retries exhausted', [new ProtocolError(id)]);

describe('afterPreviousTransaction', () => {
  it('asks again while the coordinator still finishes the previous transaction, then answers', async () => {
    let calls = 0;
    const answer = await afterPreviousTransaction(async () => {
      calls++;
      if (calls <= 3) throw spent('CONCURRENT_TRANSACTIONS');
      return 'committed';
    });
    expect(answer).toBe('committed');
    expect(calls).toBe(4);
  });

  it('does not repeat any other refusal', async () => {
    let calls = 0;
    const fenced = spent('PRODUCER_FENCED');
    await expect(
      afterPreviousTransaction(async () => {
        calls++;
        throw fenced;
      }),
    ).rejects.toBe(fenced);
    expect(calls).toBe(1);
  });
});
