/**
 * Adaptive fraudsters (`fraud.adaptive`): card testers pause after a decline and give a card up
 * after `maxDeclines`, and learn to test slowly over the weeks; threshold fraudsters stay under an
 * amount once declined above it. The same seed without adaptation breaks each of these, so each
 * check can fail.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation, type GeneratedTransaction } from '../../../../producers/simulation.ts';
import { generatorConfig } from '../../../fixtures/generated.ts';

const DAYS = 42;
const PAUSE_MINUTES = 45;
const MAX_DECLINES = 2;

function generate(adaptive: boolean): GeneratedTransaction[] {
  const config = generatorConfig({
    customers: 1500,
    merchants: 300,
    days: DAYS,
    fraud: {
      rate: 0.03,
      adaptive: { enabled: adaptive, learningDays: 10 },
      scenarios: {
        card_testing: { weight: 2, pauseMinutes: PAUSE_MINUTES, maxDeclines: MAX_DECLINES },
        amount_threshold: { weight: 2 },
        compromised_card: {},
        account_takeover: {},
        impossible_travel: {},
        compromised_terminal: {},
      },
    },
  });
  const simulation = createSimulation(config);
  return Array.from({ length: DAYS }, (_, day) => simulation.day(day)).flat();
}

/** Card-testing transactions by burst (customer and fraudster device), in time order. */
function bursts(transactions: readonly GeneratedTransaction[]): GeneratedTransaction[][] {
  const byBurst = new Map<string, GeneratedTransaction[]>();
  for (const tx of transactions) {
    if (tx.fraudScenario !== 'card_testing') continue;
    const key = `${tx.value.customerId}/${tx.value.deviceId}`;
    byBurst.set(key, [...(byBurst.get(key) ?? []), tx]);
  }
  return [...byBurst.values()];
}

/** Gaps (minutes) after each declined test, and the most declines in a burst. */
function afterDeclines(transactions: readonly GeneratedTransaction[]) {
  const gaps: number[] = [];
  let mostDeclines = 0;
  for (const burst of bursts(transactions)) {
    let declines = 0;
    burst.forEach((tx, i) => {
      if (tx.value.authResult !== 'DECLINED') return;
      declines += 1;
      const next = burst[i + 1];
      if (next) gaps.push((next.value.eventTime - tx.value.eventTime) / 60_000);
    });
    mostDeclines = Math.max(mostDeclines, declines);
  }
  return { gaps, mostDeclines };
}

/** Threshold frauds above 0.9× an amount declined earlier on the same card. */
function aboveADeclinedAmount(transactions: readonly GeneratedTransaction[]): {
  over: number;
  declined: number;
} {
  const ceiling = new Map<string, number>();
  let over = 0;
  let declined = 0;
  for (const tx of [...transactions].sort((a, b) => a.value.eventTime - b.value.eventTime)) {
    if (tx.fraudScenario !== 'amount_threshold') continue;
    const known = ceiling.get(tx.value.customerId);
    if (known !== undefined && tx.value.amountMinor > known + 1) over += 1;
    if (tx.value.authResult === 'DECLINED') {
      declined += 1;
      ceiling.set(
        tx.value.customerId,
        Math.min(known ?? Number.POSITIVE_INFINITY, tx.value.amountMinor * 0.9),
      );
    }
  }
  return { over, declined };
}

/** The median gap (seconds) between a burst's tests, over bursts starting in days [from, to). */
function medianGap(transactions: readonly GeneratedTransaction[], from: number, to: number): number {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const gaps: number[] = [];
  for (const burst of bursts(transactions)) {
    const day = Math.floor(((burst[0] as GeneratedTransaction).value.eventTime - start) / 86_400_000);
    if (day < from || day >= to) continue;
    for (let i = 1; i < burst.length; i++)
      gaps.push(
        ((burst[i] as GeneratedTransaction).value.eventTime -
          (burst[i - 1] as GeneratedTransaction).value.eventTime) /
          1000,
      );
  }
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? Number.NaN;
}

describe('adaptive fraudsters', () => {
  const adaptive = generate(true);
  const plain = generate(false);

  it('card testers pause after a decline and give the card up after maxDeclines', () => {
    const reacting = afterDeclines(adaptive);
    expect(reacting.gaps.length).toBeGreaterThan(10);
    // The pause is PAUSE_MINUTES × 0.5–1.5, on top of the gap the tester had planned.
    expect(Math.min(...reacting.gaps)).toBeGreaterThanOrEqual(PAUSE_MINUTES * 0.5);
    expect(reacting.mostDeclines).toBeLessThanOrEqual(MAX_DECLINES);
    const unaware = afterDeclines(plain);
    expect(Math.min(...unaware.gaps)).toBeLessThan(PAUSE_MINUTES * 0.5);
    expect(unaware.mostDeclines).toBeGreaterThan(MAX_DECLINES);
  });

  it('card testers learn to test slowly: bursts of the last week far slower than the first’s', () => {
    expect(medianGap(adaptive, 0, 3)).toBeLessThan(120);
    // Learned (caution ≥ 0.97 from day 35): tests 15–45 minutes apart, under an hourly velocity rule.
    expect(medianGap(adaptive, 35, DAYS)).toBeGreaterThan(15 * 60);
    expect(medianGap(plain, 35, DAYS)).toBeLessThan(120);
  });

  it('threshold fraudsters stay under an amount once declined above it on the card', () => {
    const reacting = aboveADeclinedAmount(adaptive);
    expect(reacting.declined).toBeGreaterThan(5);
    expect(reacting.over).toBe(0);
    expect(aboveADeclinedAmount(plain).over).toBeGreaterThan(0);
  });
});
