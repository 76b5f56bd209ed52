/**
 * The settings of a run's drift: what changes over simulated time. Scenario rates and parameters
 * change at scheduled days (steps or linear ramps), the category mix shifts, and the calendar has
 * weekends, paydays and holidays. Days count from the run's first simulated day (day 0). The model
 * and an example are in drift/README.md; every default leaves a run as it was without drift.
 */
import Type, { type Static } from 'typebox';
import { SCENARIOS } from '../fraud/index.ts';
import { CATEGORIES } from '../world/categories.ts';

/** The highest multiple of a configured rate a change may ask for. */
export const MAX_DRIFT_RATE = 50;

const day = Type.Integer({
  minimum: 0,
  maximum: 3650,
  description: 'Simulated day of the change (0: the first)',
});
const rampDays = Type.Integer({
  minimum: 0,
  maximum: 3650,
  default: 0,
  description: 'Days over which the level moves linearly to the new one (0: a step)',
});

const ScenarioChangeSchema = Type.Object(
  {
    scenario: Type.Enum(SCENARIOS.map((scenario) => scenario.name)),
    day,
    rampDays,
    rate: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: MAX_DRIFT_RATE,
        description:
          'The scenario’s fraud rate as a multiple of its configured share (1: as configured, 0: off), reached `rampDays` after `day`',
      }),
    ),
    params: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'New values of the scenario’s own parameters from `day` on (checked against its schema)',
      }),
    ),
  },
  { additionalProperties: false },
);

const CategoryChangeSchema = Type.Object(
  {
    category: Type.Enum(CATEGORIES.map((spec) => spec.category)),
    day,
    rampDays,
    share: Type.Number({
      minimum: 0,
      maximum: MAX_DRIFT_RATE,
      description:
        'The category’s weight in every customer’s mix as a multiple of its own (1: unchanged, 0: gone)',
    }),
  },
  { additionalProperties: false },
);

const SeasonalitySchema = Type.Object(
  {
    weekends: Type.Boolean({
      default: true,
      description:
        'The weekly rhythm: quieter Mondays, busier Fridays and Saturdays (false: every day alike)',
    }),
    paydays: Type.Array(Type.Integer({ minimum: -28, maximum: 31 }), {
      default: [],
      uniqueItems: true,
      description: 'Days of the month with more spending (-1: the last day of the month)',
    }),
    paydayFactor: Type.Number({
      exclusiveMinimum: 0,
      maximum: 10,
      default: 1.3,
      description: 'Purchases on a payday as a multiple of an ordinary day',
    }),
    holidays: Type.Array(
      Type.Object(
        {
          date: Type.String({ format: 'date' }),
          factor: Type.Number({
            minimum: 0,
            maximum: 10,
            description: 'Purchases that day as a multiple of an ordinary day',
          }),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const DriftSchema = Type.Object(
  {
    scenarios: Type.Array(ScenarioChangeSchema, {
      default: [],
      description: 'Scheduled changes of scenario rates and parameters',
    }),
    categories: Type.Array(CategoryChangeSchema, {
      default: [],
      description: 'Scheduled shifts of the category mix',
    }),
    seasonality: SeasonalitySchema,
  },
  { additionalProperties: false, default: {} },
);

export type DriftConfig = Static<typeof DriftSchema>;
export type ScenarioChange = Static<typeof ScenarioChangeSchema>;
export type CategoryChange = Static<typeof CategoryChangeSchema>;
