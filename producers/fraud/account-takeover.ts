/**
 * Account takeover: someone else logs in from a new device far away and spends through a channel
 * the customer does not use, for more than they usually do.
 */
import Type from 'typebox';
import { draftAt } from '../transactions/draft.ts';
import { expectedOwnPurchases } from '../transactions/purchases.ts';
import { HOUR_MS, timeInDay } from '../transactions/rhythm.ts';
import { pickMerchant } from '../world/world.ts';
import { fraudsterDevice } from './fraudster.ts';
import { type FraudScenario, fraudsterHours, SIGNAL_STRENGTH, scaledMultiplier } from './scenario.ts';

const Params = Type.Object(
  {
    minTransactions: Type.Integer({ minimum: 1, default: 2 }),
    maxTransactions: Type.Integer({ minimum: 1, default: 6 }),
    amountMultiplier: Type.Number({
      minimum: 1,
      default: 4,
      description: "Spend relative to the customer's usual",
    }),
  },
  { additionalProperties: false, default: {} },
);

export const accountTakeover: FraudScenario<{
  minTransactions: number;
  maxTransactions: number;
  amountMultiplier: number;
}> = {
  name: 'account_takeover',
  description: 'A new far-away device and channel spending more than usual.',
  detectability: 'often',
  // Assumed, not measured: the cardholder finds purchases they did not make on their statement.
  recall: 0.9,
  params: Params,
  prepare(
    { world, targetPerLegit, intensity, difficulty },
    { minTransactions, maxTransactions, amountMultiplier },
  ) {
    const multiplier = scaledMultiplier(amountMultiplier, difficulty);
    // A weaker signal: some takeovers spend at the customer's own kind of web shop, not abroad.
    const domestic = Math.max(0, 1 - SIGNAL_STRENGTH[difficulty]);
    // …in the daytime, spread further apart.
    const hours = fraudsterHours(difficulty);
    const meanGapMs = HOUR_MS / 2 / Math.min(1, SIGNAL_STRENGTH[difficulty]);
    const maxSize = Math.max(minTransactions, maxTransactions);
    const meanSize = (minTransactions + maxSize) / 2;
    return (day) => {
      if (world.foreignOnline.length === 0) return;
      const episodes = day.rng.poisson(
        (targetPerLegit * expectedOwnPurchases(day.customer, day.activity) * intensity(day.dayIndex)) /
          meanSize,
      );
      for (let e = 0; e < episodes; e++) {
        const device = fraudsterDevice(day.rng);
        // The other channel: app users get web purchases and the other way round.
        device.type = day.customer.device.type === 'MOBILE' ? 'DESKTOP' : 'MOBILE';
        let time = timeInDay(day.rng, day.dayStartMs, hours);
        const size = day.rng.int(minTransactions, maxSize);
        for (let i = 0; i < size; i++) {
          // A category without web shops falls back to abroad: the fraud still happens.
          const merchant =
            (domestic > 0 && day.rng.bool(domestic)
              ? pickMerchant(world, day.customer, day.rng.weighted(day.customer.categoryCdf), true, day.rng)
              : undefined) ??
            world.merchants[
              world.foreignOnline[Math.floor(day.rng.float() * world.foreignOnline.length)] ?? 0
            ];
          if (!merchant) continue;
          const amount = day.rng.logNormal(
            merchant.spec.medianAmountMinor * day.customer.amountScale * multiplier,
            0.5,
          );
          day.add(draftAt(merchant, time, amount, device, day.rng, 'account_takeover'));
          time += Math.round(day.rng.exponential(meanGapMs));
        }
      }
    };
  },
};
