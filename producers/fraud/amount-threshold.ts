/**
 * Handbook scenario 1: a purchase above a fixed amount is fraud. The fraudster buys where the
 * customer might, for more than the threshold.
 */
import Type from 'typebox';
import { draftAt, type TransactionDraft } from '../transactions/draft.ts';
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

/** What the ring knows of one card: the amount above which it was declined, less a margin. */
interface ThresholdState {
  ceilingMinor?: number;
}

/** Adaptive: the share of a declined amount a fraudster dares next time on the card. */
const CEILING_SHARE = 0.9;
/** Adaptive: a ceiling this close to the threshold leaves no fraud of this kind worth making. */
const MIN_MARGIN = 1.01;

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
        // Adaptive: the ring has learned that large amounts draw declines, and keeps nearer the
        // threshold as its caution grows (without adaptation caution is 0: the amounts as ever).
        let amount = thresholdMinor * (1 + (0.05 + 2 * day.rng.float() * (1 - 0.9 * day.caution)) * spread);
        const time = timeInDay(day.rng, day.dayStartMs, hourCdf(categoryIndex));
        const ceiling = (day.state.amountThreshold as ThresholdState | undefined)?.ceilingMinor;
        if (ceiling !== undefined) {
          // Declined above the ceiling on this card before: stay under it, or leave the card be.
          if (ceiling <= thresholdMinor * MIN_MARGIN) continue;
          amount = Math.min(amount, ceiling);
        }
        day.add(draftAt(merchant, time, amount, day.customer.device, day.rng, 'amount_threshold'));
      }
    };
  },
  prepareReaction(_context, { thresholdMinor }) {
    return (record, draft, day, drafts, next) => {
      if (record.authResult !== 'DECLINED') return false;
      const state = (day.state.amountThreshold as ThresholdState | undefined) ?? {};
      day.state.amountThreshold = state;
      const ceiling = Math.min(
        state.ceilingMinor ?? Number.POSITIVE_INFINITY,
        draft.amountMinor * CEILING_SHARE,
      );
      state.ceilingMinor = ceiling;
      // The same day's later attempts on this card follow at once; removing keeps the order.
      for (let i = drafts.length - 1; i >= next; i--) {
        const later = drafts[i] as TransactionDraft;
        if (later.fraudScenario !== 'amount_threshold' || later.amountMinor <= ceiling) continue;
        if (ceiling <= thresholdMinor * MIN_MARGIN) drafts.splice(i, 1);
        else later.amountMinor = ceiling;
      }
      return false;
    };
  },
};
