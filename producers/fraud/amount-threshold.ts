/**
 * Handbook scenario 1: a purchase above a fixed amount is fraud. The fraudster buys where the
 * customer might, for more than the threshold.
 */
import Type from 'typebox';
import { draftAt } from '../transactions/draft.ts';
import { expectedOwnPurchases } from '../transactions/purchases.ts';
import { hourCdf, timeInDay } from '../transactions/rhythm.ts';
import { pickMerchant } from '../world/world.ts';
import { type FraudScenario, SIGNAL_STRENGTH } from './scenario.ts';

const Params = Type.Object(
  {
    thresholdMinor: Type.Integer({
      minimum: 1,
      default: 22_000,
      description: 'Amount above which the fraud lies, minor units',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const amountThreshold: FraudScenario<{ thresholdMinor: number }> = {
  name: 'amount_threshold',
  description: 'Purchases above a fixed amount (handbook scenario 1).',
  detectability: 'rarely',
  // Assumed, not measured: just below the amount that draws attention, some pass unnoticed.
  recall: 0.85,
  params: Params,
  prepare({ targetPerLegit, intensity, world, difficulty }, { thresholdMinor }) {
    // Above the threshold always; how far above is the signal.
    const spread = SIGNAL_STRENGTH[difficulty];
    return (day) => {
      const count = day.rng.poisson(
        targetPerLegit * expectedOwnPurchases(day.customer, day.activity) * intensity(day.dayIndex),
      );
      for (let i = 0; i < count; i++) {
        const categoryIndex = day.rng.weighted(day.customer.categoryCdf);
        const online = day.rng.bool(0.5);
        const merchant =
          pickMerchant(world, day.customer, categoryIndex, online, day.rng) ??
          pickMerchant(world, day.customer, categoryIndex, !online, day.rng);
        if (!merchant) continue;
        const amount = thresholdMinor * (1 + (0.05 + 2 * day.rng.float()) * spread);
        const time = timeInDay(day.rng, day.dayStartMs, hourCdf(categoryIndex));
        day.add(draftAt(merchant, time, amount, day.customer.device, day.rng, 'amount_threshold'));
      }
    };
  },
};
