/** What goes in one produce request: each partition's share bounded, not the request as a whole. */
import { describe, expect, it } from 'vitest';
import { RequestBudget } from '../../../../core/kafka/request-budget.ts';

describe('RequestBudget', () => {
  it('bounds each partition, so a request carries a full share for every partition', () => {
    const budget = new RequestBudget(1000, 100_000);
    for (let partition = 0; partition < 6; partition++) {
      expect(budget.fits('t', partition, 900)).toBe(true);
      budget.add('t', partition, 900);
    }
    expect(budget.fits('t', 3, 200)).toBe(false);
    expect(budget.fits('t', 6, 200)).toBe(true);
    expect(budget.fits('other', 3, 1000)).toBe(true);
  });

  it('counts a message the partitioner places against every partition of its topic', () => {
    const budget = new RequestBudget(1000, 100_000);
    budget.add('t', 0, 600);
    expect(budget.fits('t', undefined, 500)).toBe(false);
    expect(budget.fits('t', undefined, 400)).toBe(true);
    budget.add('t', undefined, 400);
    expect(budget.fits('t', 1, 700)).toBe(false);
    expect(budget.fits('t', 1, 600)).toBe(true);
  });

  it('bounds the request as a whole, and starts over when cleared', () => {
    const budget = new RequestBudget(1000, 2500);
    budget.add('a', 0, 1000);
    budget.add('b', 0, 1000);
    expect(budget.fits('c', 0, 600)).toBe(false);
    expect(budget.empty).toBe(false);
    budget.clear();
    expect(budget.empty).toBe(true);
    expect(budget.fits('a', 0, 1000)).toBe(true);
  });

  it('finds a message larger than a share too large even alone: the caller sends it in a request of its own', () => {
    const budget = new RequestBudget(1000, 100_000);
    expect(budget.fits('t', 0, 5000)).toBe(false);
    expect(budget.empty).toBe(true);
  });
});
