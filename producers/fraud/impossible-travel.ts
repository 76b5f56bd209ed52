/**
 * Impossible travel: a cloned card used in person far away, shortly after the real card was used
 * near home — faster than anyone could travel between the two.
 */
import Type from 'typebox';
import { draftAt } from '../transactions/draft.ts';
import { expectedOwnPurchases } from '../transactions/purchases.ts';
import { farAwayMerchant } from '../world/world.ts';
import { type FraudScenario, SIGNAL_STRENGTH, scaledMultiplier } from './scenario.ts';

const Params = Type.Object(
  {
    minDistanceKm: Type.Number({ minimum: 100, default: 1500 }),
    minGapMinutes: Type.Integer({ minimum: 1, default: 10 }),
    maxGapMinutes: Type.Integer({ minimum: 1, default: 90 }),
  },
  { additionalProperties: false, default: {} },
);

interface TravelState {
  /** Episodes waiting for a day on which the customer uses the card in person. */
  pending?: number;
}

export const impossibleTravel: FraudScenario<{
  minDistanceKm: number;
  minGapMinutes: number;
  maxGapMinutes: number;
}> = {
  name: 'impossible_travel',
  description: 'A card-present purchase far away minutes after one near home.',
  detectability: 'often',
  // Assumed, not measured: a purchase far from home is usually noticed.
  recall: 0.9,
  params: Params,
  prepare({ world, targetPerLegit, intensity, difficulty }, { minDistanceKm, minGapMinutes, maxGapMinutes }) {
    // A weaker signal: longer gaps (a lower speed) and spending nearer the customer's own.
    const minGap = Math.round(minGapMinutes / SIGNAL_STRENGTH[difficulty]);
    const maxGap = Math.max(minGap, Math.round(maxGapMinutes / SIGNAL_STRENGTH[difficulty]));
    const spend = scaledMultiplier(2, difficulty);
    const distanceKm = Math.max(100, minDistanceKm * Math.min(1, SIGNAL_STRENGTH[difficulty]));
    return (day) => {
      const state = (day.state.impossibleTravel as TravelState | undefined) ?? {};
      day.state.impossibleTravel = state;
      state.pending =
        (state.pending ?? 0) +
        day.rng.poisson(
          targetPerLegit * expectedOwnPurchases(day.customer, day.activity) * intensity(day.dayIndex),
        );
      if (state.pending === 0) return;
      const anchors = day.transactions.filter(
        (draft) =>
          (draft.channel === 'CARD_PRESENT' || draft.channel === 'ATM') && draft.fraudScenario === null,
      );
      while (state.pending > 0 && anchors.length > 0) {
        const anchor = anchors.splice(Math.floor(day.rng.float() * anchors.length), 1)[0];
        const merchant = anchor && farAwayMerchant(world, day.customer, distanceKm, day.rng);
        if (!anchor || !merchant) break;
        const time = anchor.eventTime + day.rng.int(minGap, maxGap) * 60_000;
        const amount = day.rng.logNormal(
          merchant.spec.medianAmountMinor * day.customer.amountScale * spend,
          0.6,
        );
        // A cloned card: in person (far-away merchants are never online-only), often by magnetic stripe.
        const draft = draftAt(merchant, time, amount, day.customer.device, day.rng, 'impossible_travel');
        if (draft.channel === 'CARD_PRESENT' && day.rng.bool(0.5)) draft.entryMode = 'MAGSTRIPE';
        day.add(draft);
        state.pending -= 1;
      }
    };
  },
};
