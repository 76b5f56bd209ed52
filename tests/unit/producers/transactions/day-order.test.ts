/** A day kept by minute reads back in exactly the order one sort by (time, id) gives. */
import { describe, expect, it } from 'vitest';
import type { GeneratedTransaction } from '../../../../producers/simulation.ts';
import { byTimeThenId, DayOrder } from '../../../../producers/transactions/day-order.ts';

const DAY = Date.UTC(2026, 0, 1);

function transaction(eventTime: number, transactionId: string): GeneratedTransaction {
  return { value: { eventTime, transactionId }, fraudScenario: null } as unknown as GeneratedTransaction;
}

describe('DayOrder', () => {
  it('reads back in (time, id) order, ties, minute edges and times outside the day included', () => {
    const made: GeneratedTransaction[] = [];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 5000; i++) {
      // Whole minutes often (edges), the same instant sometimes (ties), a little before and after the day.
      const offset =
        random() < 0.2 ? Math.floor(random() * 1440) * 60_000 : Math.floor(random() * 86_400_000);
      made.push(transaction(DAY + offset, `T${Math.floor(random() * 1e6)}`));
    }
    made.push(transaction(DAY - 5_000, 'before'), transaction(DAY + 86_400_000 + 90_000, 'after'));
    made.push(transaction(DAY + 60_000, 'b'), transaction(DAY + 60_000, 'a'));
    const order = new DayOrder(DAY);
    for (const t of made) order.push(t);
    expect(order.length).toBe(made.length);
    const read: GeneratedTransaction[] = [];
    for (let t = order.next(); t; t = order.next()) read.push(t);
    expect(order.remaining).toBe(0);
    expect(read).toEqual([...made].sort(byTimeThenId));
    expect(read[0]?.value.transactionId).toBe('before');
    expect(read.at(-1)?.value.transactionId).toBe('after');
  });

  it('counts what is left as it is read, and gives everything at once for a backfill', () => {
    const order = new DayOrder(DAY);
    for (const minute of [3, 1, 2]) order.push(transaction(DAY + minute * 60_000, `m${minute}`));
    expect(order.next()?.value.transactionId).toBe('m1');
    expect(order.remaining).toBe(2);
    expect(order.all().map((t) => t.value.transactionId)).toEqual(['m2', 'm3']);
    expect(order.next()).toBeUndefined();
  });
});
