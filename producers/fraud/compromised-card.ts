/**
 * Handbook scenario 3: a customer's card details leak; for a period, a share of their purchases
 * are the fraudster's, for inflated amounts.
 */
import Type from 'typebox';
import { type FraudScenario, scaledMultiplier } from './scenario.ts';

const Params = Type.Object(
  {
    durationDays: Type.Integer({ minimum: 1, maximum: 365, default: 14 }),
    fraudShare: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 1 / 3,
      description: 'Share of purchases that are fraud',
    }),
    amountMultiplier: Type.Number({ minimum: 1, default: 5 }),
  },
  { additionalProperties: false, default: {} },
);

interface CardState {
  compromisedUntilDay?: number;
}

export const compromisedCard: FraudScenario<{
  durationDays: number;
  fraudShare: number;
  amountMultiplier: number;
}> = {
  name: 'compromised_card',
  description:
    'A leaked card: for a period a share of purchases are fraud with inflated amounts (handbook scenario 3).',
  detectability: 'rarely',
  // Assumed, not measured: inflated amounts on a known card are usually disputed.
  recall: 0.9,
  params: Params,
  prepare({ targetPerLegit, intensity, difficulty }, { durationDays, fraudShare, amountMultiplier }) {
    const multiplier = scaledMultiplier(amountMultiplier, difficulty);
    const baseProbability = targetPerLegit / (durationDays * fraudShare);
    return (day) => {
      const startProbability = Math.min(1, baseProbability * intensity(day.dayIndex));
      let state = day.state.compromisedCard as CardState | undefined;
      if (!state) {
        // The first day seen: a leak may already be under way, as in a run that started earlier.
        state = {};
        day.state.compromisedCard = state;
        if (day.rng.bool(Math.min(1, startProbability * (durationDays - 1)))) {
          state.compromisedUntilDay = day.dayIndex + day.rng.int(1, durationDays - 1);
        }
      }
      if ((state.compromisedUntilDay ?? -1) <= day.dayIndex && day.rng.bool(startProbability)) {
        state.compromisedUntilDay = day.dayIndex + durationDays;
      }
      if ((state.compromisedUntilDay ?? -1) <= day.dayIndex) return;
      for (const draft of day.transactions) {
        if (draft.fraudScenario === null && day.rng.bool(fraudShare)) {
          draft.amountMinor = Math.round(draft.amountMinor * multiplier);
          draft.fraudScenario = 'compromised_card';
        }
      }
    };
  },
};
