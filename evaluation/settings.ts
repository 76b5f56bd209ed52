/** The settings of one evaluation, declared once: the CLI flags and the REST query derive from them. */
import Type, { type Static } from 'typebox';
import { validateAgainst } from '../core/config/validate.ts';
import { MODEL_NAMES } from './models/index.ts';

export const EvaluationSettingsSchema = Type.Object(
  {
    trainDays: Type.Integer({
      minimum: 1,
      maximum: 365,
      default: 7,
      description: 'Days each model trains on',
    }),
    delayDays: Type.Integer({
      minimum: 0,
      maximum: 365,
      default: 7,
      description:
        'Days skipped between training and test: labels not yet known (the processors’ labelDelayDays)',
    }),
    k: Type.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 100,
      description: 'Cards per day for Card Precision@k',
    }),
    models: Type.Array(Type.Enum(MODEL_NAMES), {
      minItems: 1,
      uniqueItems: true,
      default: MODEL_NAMES,
      description: 'Detectors to evaluate',
    }),
  },
  { additionalProperties: false },
);

export type EvaluationSettings = Static<typeof EvaluationSettingsSchema>;

export function parseEvaluationSettings(
  input: unknown,
  source = 'evaluation settings',
): Readonly<EvaluationSettings> {
  return validateAgainst(EvaluationSettingsSchema, input, source);
}
