/**
 * Card testing: a fraudster checks that stolen card details work with a burst of tiny online
 * purchases seconds apart, before the real spending.
 */
import Type from 'typebox';
import { draftAt, type TransactionDraft } from '../transactions/draft.ts';
import { expectedOwnPurchases } from '../transactions/purchases.ts';
import { DAY_MS, timeInDay } from '../transactions/rhythm.ts';
import { CATEGORIES } from '../world/categories.ts';
import { fraudsterDevice } from './fraudster.ts';
import { type FraudScenario, fraudsterHours, SIGNAL_STRENGTH } from './scenario.ts';

const Params = Type.Object(
  {
    minBurst: Type.Integer({ minimum: 2, default: 5 }),
    maxBurst: Type.Integer({ minimum: 2, default: 15 }),
    maxAmountMinor: Type.Integer({
      minimum: 1,
      default: 300,
      description: 'Largest test amount, minor units',
    }),
    maxGapSeconds: Type.Integer({ minimum: 1, default: 90 }),
    pauseMinutes: Type.Integer({
      minimum: 1,
      maximum: 720,
      default: 45,
      description: 'Adaptive only: the typical pause after a test is declined (0.5–1.5× it)',
    }),
    maxDeclines: Type.Integer({
      minimum: 1,
      default: 2,
      description: 'Adaptive only: declines after which a tester abandons the burst',
    }),
    slowGapMinutes: Type.Integer({
      minimum: 3,
      maximum: 720,
      default: 45,
      description:
        'Adaptive only: the longest gap between the tests of a tester who has learned to go slowly (the shortest is a third of it)',
    }),
  },
  { additionalProperties: false, default: {} },
);

const DIGITAL = CATEGORIES.findIndex((spec) => spec.category === 'DIGITAL_GOODS');

interface CardTestingParams {
  minBurst: number;
  maxBurst: number;
  maxAmountMinor: number;
  maxGapSeconds: number;
  pauseMinutes: number;
  maxDeclines: number;
  slowGapMinutes: number;
}

/** Declines seen in the burst under way on a card (a burst is one fraudster device). */
interface BurstState {
  device: unknown;
  declines: number;
}

export const cardTesting: FraudScenario<CardTestingParams> = {
  name: 'card_testing',
  description: 'Bursts of tiny online purchases seconds apart.',
  detectability: 'often',
  // Assumed, not measured: tiny test amounts go unnoticed on most statements.
  recall: 0.35,
  params: Params,
  prepare(
    { world, targetPerLegit, intensity, difficulty },
    { minBurst, maxBurst, maxAmountMinor, maxGapSeconds, slowGapMinutes },
  ) {
    // A weaker signal: shorter bursts of larger test amounts, further apart (as many frauds).
    const strength = SIGNAL_STRENGTH[difficulty];
    const largest = Math.max(51, Math.round(maxAmountMinor / strength));
    const widest = Math.max(2, Math.round(maxGapSeconds / strength));
    const minSize = Math.max(2, Math.round(minBurst * strength));
    const maxSize = Math.max(minSize, Math.round(Math.max(minBurst, maxBurst) * strength));
    const meanBurst = (minSize + maxSize) / 2;
    const pool =
      (world.onlineByCategory[DIGITAL]?.length ?? 0) > 0
        ? world.onlineByCategory[DIGITAL]
        : world.foreignOnline;
    return (day) => {
      if (!pool || pool.length === 0) return;
      const bursts = day.rng.poisson(
        (targetPerLegit * expectedOwnPurchases(day.customer, day.activity) * intensity(day.dayIndex)) /
          meanBurst,
      );
      for (let b = 0; b < bursts; b++) {
        const merchant = world.merchants[pool[Math.floor(day.rng.float() * pool.length)] ?? 0];
        if (!merchant) continue;
        const device = fraudsterDevice(day.rng);
        let time = timeInDay(day.rng, day.dayStartMs, fraudsterHours(difficulty));
        const size = day.rng.int(minSize, maxSize);
        // Adaptive: a tester who has learned from the ring's declines spaces tests minutes apart,
        // under an hourly velocity rule (drawn only when adapting: the stream is otherwise unchanged).
        const slow = day.caution > 0 && day.rng.bool(day.caution);
        for (let i = 0; i < size; i++) {
          // A slow burst stops at midnight rather than run into the next day's stream.
          if (slow && time >= day.dayStartMs + DAY_MS) break;
          day.add(draftAt(merchant, time, day.rng.int(50, largest), device, day.rng, 'card_testing'));
          time += slow
            ? day.rng.int(slowGapMinutes * 20, slowGapMinutes * 60) * 1000
            : day.rng.int(2, widest) * 1000;
        }
      }
    };
  },
  prepareReaction(_context, { pauseMinutes, maxDeclines }) {
    return (record, draft, day, drafts, next) => {
      // Any decline: a tester cannot tell a blocked card from a refused one, and either is a warning.
      if (record.authResult !== 'DECLINED') return false;
      // One burst state per card: a new fraudster device is a new burst.
      let burst = day.state.cardTestingBurst as BurstState | undefined;
      if (!burst || burst.device !== draft.device) {
        burst = { device: draft.device, declines: 0 };
        day.state.cardTestingBurst = burst;
      }
      burst.declines += 1;
      const dayEnd = day.dayStartMs + DAY_MS;
      const pauseMs = Math.round(pauseMinutes * 60_000 * (0.5 + day.rng.float()));
      let moved = false;
      for (let i = drafts.length - 1; i >= next; i--) {
        const later = drafts[i] as TransactionDraft;
        if (later.fraudScenario !== 'card_testing' || later.device !== draft.device) continue;
        // Declined too often, or the pause runs past the day: the tester gives this card up.
        if (burst.declines >= maxDeclines || later.eventTime + pauseMs >= dayEnd) drafts.splice(i, 1);
        else later.eventTime += pauseMs;
        moved = true;
      }
      return moved;
    };
  },
};
