/**
 * The settings of a run's ground truth: how each source reports, how often legitimate purchases are
 * disputed, how often a label is later overturned. Every default and where it comes from is in
 * ground-truth/README.md; per-scenario recall is each scenario's own `recall` setting.
 */
import Type, { type Static } from 'typebox';

/** A log-normal delay: `medianHours` typical, `sigma` its log-space spread, clamped to [min, max]. */
function delay(defaults: { medianHours: number; sigma: number; minHours: number; maxHours: number }) {
  return {
    medianHours: Type.Number({ minimum: 0, default: defaults.medianHours }),
    sigma: Type.Number({ minimum: 0, maximum: 3, default: defaults.sigma, description: 'Log-space spread' }),
    minHours: Type.Number({ minimum: 0, default: defaults.minHours }),
    maxHours: Type.Number({ exclusiveMinimum: 0, default: defaults.maxHours }),
  };
}

const CHARGEBACK_LIMIT_HOURS = 120 * 24;

export const GroundTruthSchema = Type.Object(
  {
    investigators: Type.Object(
      {
        cardsPerDay: Type.Integer({
          minimum: 0,
          default: 100,
          description: 'Alerted cards the investigators review per simulated day (0: none)',
        }),
        alertScore: Type.Integer({
          minimum: 0,
          maximum: 999,
          default: 600,
          description: 'Issuer risk score at which a purchase alerts its card',
        }),
        ...delay({ medianHours: 4, sigma: 0.6, minHours: 0.25, maxHours: 48 }),
      },
      { additionalProperties: false, default: {} },
    ),
    customerReport: Type.Object(
      {
        onlineShare: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.55,
          description: 'Share of reported online fraud the cardholder reports (the rest: chargebacks)',
        }),
        inPersonShare: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.35,
          description: 'Share of reported card-present fraud the cardholder reports',
        }),
        ...delay({ medianHours: 36, sigma: 0.8, minHours: 1, maxHours: 30 * 24 }),
      },
      { additionalProperties: false, default: {} },
    ),
    chargeback: Type.Object(
      delay({ medianHours: 240, sigma: 0.6, minHours: 48, maxHours: CHARGEBACK_LIMIT_HOURS }),
      { additionalProperties: false, default: {} },
    ),
    disputes: Type.Object(
      {
        rate: Type.Number({
          minimum: 0,
          maximum: 0.1,
          default: 0.002,
          description: 'Share of legitimate purchases disputed, then resolved as not fraud',
        }),
        ...delay({ medianHours: 10 * 24, sigma: 0.5, minHours: 24, maxHours: CHARGEBACK_LIMIT_HOURS }),
      },
      { additionalProperties: false, default: {} },
    ),
    corrections: Type.Object(
      {
        rate: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.03,
          description: 'Share of labels whose first version is wrong and later overturned',
        }),
        ...delay({ medianHours: 14 * 24, sigma: 0.5, minHours: 24, maxHours: CHARGEBACK_LIMIT_HOURS }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export type GroundTruthConfig = Static<typeof GroundTruthSchema>;
export type DelaySettings = GroundTruthConfig['chargeback'];
