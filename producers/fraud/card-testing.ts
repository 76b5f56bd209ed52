/**
 * Card testing: a fraudster checks that stolen card details work with a burst of tiny online
 * purchases seconds apart, before the real spending.
 */
import Type from 'typebox';
import { draftAt } from '../transactions/draft.ts';
import { expectedOwnPurchases } from '../transactions/purchases.ts';
import { timeInDay } from '../transactions/rhythm.ts';
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
  },
  { additionalProperties: false, default: {} },
);

const DIGITAL = CATEGORIES.findIndex((spec) => spec.category === 'DIGITAL_GOODS');

export const cardTesting: FraudScenario<{
  minBurst: number;
  maxBurst: number;
  maxAmountMinor: number;
  maxGapSeconds: number;
}> = {
  name: 'card_testing',
  description: 'Bursts of tiny online purchases seconds apart.',
  detectability: 'often',
  // Assumed, not measured: tiny test amounts go unnoticed on most statements.
  recall: 0.35,
  params: Params,
  prepare(
    { world, targetPerLegit, intensity, difficulty },
    { minBurst, maxBurst, maxAmountMinor, maxGapSeconds },
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
        for (let i = 0; i < size; i++) {
          day.add(draftAt(merchant, time, day.rng.int(50, largest), device, day.rng, 'card_testing'));
          time += day.rng.int(2, widest) * 1000;
        }
      }
    };
  },
};
