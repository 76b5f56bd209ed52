/**
 * The settings of one generation run, validated at the edge (CLI flags, a YAML file, a REST body)
 * with one schema, then passed down frozen.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { validateAgainst } from '../core/config/validate.ts';
import { ConfigError } from '../core/errors.ts';
import { runTopicNames } from '../core/run-topology.ts';
import { driftIssues } from './drift/issues.ts';
import { DriftSchema } from './drift/schema.ts';
import { SCENARIOS } from './fraud/index.ts';
import { DIFFICULTIES } from './fraud/scenario.ts';
import { GroundTruthSchema } from './ground-truth/schema.ts';
import { RateShapeSchema } from './rate-shape.ts';
import { DAY_MS } from './transactions/rhythm.ts';

/** Each scenario's parameters plus its weight: its share of all fraud. */
const scenarioSchemas: Record<string, TSchema> = Object.fromEntries(
  SCENARIOS.map((scenario) => [
    scenario.name,
    Type.Object(
      {
        weight: Type.Number({
          minimum: 0,
          default: 1,
          description: 'Share of all fraud, relative to the other scenarios',
        }),
        recall: Type.Number({
          minimum: 0,
          maximum: 1,
          default: scenario.recall,
          description: 'Share of its fraud ever reported without an investigator’s review',
        }),
        ...scenario.params.properties,
      },
      { additionalProperties: false, default: {} },
    ),
  ]),
);

const TopicsSchema = Type.Object(
  {
    customers: Type.String({ minLength: 1, default: 'customers' }),
    merchants: Type.String({ minLength: 1, default: 'merchants' }),
    transactions: Type.String({ minLength: 1, default: 'transactions' }),
    labels: Type.String({ minLength: 1, default: 'fraud.labels' }),
    drift: Type.String({
      minLength: 1,
      default: 'drift.manifest',
      description: 'The run’s drift manifest (only when its schedule has change points)',
    }),
    partitions: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 6,
      description: 'Partitions of the topics this run creates',
    }),
    retentionMs: Type.Integer({ minimum: -1, default: 7 * 86_400_000, description: '-1 keeps forever' }),
  },
  { additionalProperties: false, default: {} },
);

export const GeneratorSchema = Type.Object(
  {
    runId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', default: 'run' }),
    seed: Type.Integer({
      minimum: 0,
      maximum: 2 ** 31 - 1,
      default: 42,
      description: 'Random seed: the same seed and settings give the same events',
    }),
    customers: Type.Integer({
      minimum: 1,
      maximum: 10_000_000,
      default: 10_000,
      description: 'Customers in the world',
    }),
    merchants: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 2_000,
      description: 'Merchants in the world',
    }),
    startDate: Type.String({
      format: 'date',
      default: '2026-01-01',
      description: 'First simulated day (UTC) in backfill',
    }),
    mode: Type.Enum(['backfill', 'realtime'], {
      default: 'backfill',
      description: 'Backfill: simulated days as fast as possible; realtime: now, at a target rate',
    }),
    days: Type.Integer({
      minimum: 1,
      maximum: 3650,
      default: 30,
      description: 'Simulated days of a backfill',
    }),
    maxTransactions: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Stop after this many transactions' }),
    ),
    ratePerSecond: Type.Number({
      exclusiveMinimum: 0,
      maximum: 10_000_000,
      default: 1000,
      description: 'Realtime target events/s',
    }),
    rateShape: Type.Optional(RateShapeSchema),
    durationSeconds: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'Realtime: stop after this long' }),
    ),
    declineRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.03,
      description: 'Share of legitimate authorisations declined',
    }),
    fraud: Type.Object(
      {
        rate: Type.Number({
          minimum: 0,
          maximum: 0.5,
          default: 0.01,
          description: 'Fraction of all transactions that are fraud',
        }),
        difficulty: Type.Enum([...DIFFICULTIES], {
          default: 'realistic',
          description:
            'How hard fraud is to detect: easy and hard scale every scenario’s telltale signal up or down (realistic: the parameters as given)',
        }),
        groundTruth: GroundTruthSchema,
        adaptive: Type.Object(
          {
            enabled: Type.Boolean({
              default: false,
              description:
                'Fraudsters react to the issuer’s declines: card testers pause after one and learn to test slowly, threshold fraudsters stay under an amount once declined above it',
            }),
            learningDays: Type.Number({
              exclusiveMinimum: 0,
              maximum: 3650,
              default: 14,
              description:
                'Days until the fraudsters have learned 63% of what they will (caution 1 − e^(−day/learningDays))',
            }),
          },
          { additionalProperties: false, default: {} },
        ),
        scenarios: Type.Object(scenarioSchemas, {
          additionalProperties: false,
          default: Object.fromEntries(SCENARIOS.map((scenario) => [scenario.name, {}])),
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    drift: DriftSchema,
    topics: TopicsSchema,
    workers: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 1,
      description: 'Worker threads of one producer process, each a shard of this run (or of its shard)',
    }),
    shard: Type.Object(
      {
        index: Type.Integer({ minimum: 0, default: 0 }),
        count: Type.Integer({ minimum: 1, maximum: 1024, default: 1 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type GeneratorConfig = Static<typeof GeneratorSchema>;

/** Validates a run's settings; every problem names its field. */
export function parseGeneratorConfig(input: unknown, source = 'generator config'): Readonly<GeneratorConfig> {
  const config = validateAgainst(GeneratorSchema, input, source);
  const issues = [];
  if (config.shard.index >= config.shard.count) {
    issues.push({ path: '/shard/index', message: `must be below shard.count (${config.shard.count})` });
  }
  const weights = scenarioSettings(config).reduce((sum, [, settings]) => sum + settings.weight, 0);
  if (config.fraud.rate > 0 && weights <= 0) {
    issues.push({
      path: '/fraud/scenarios',
      message: 'fraud.rate > 0 needs at least one scenario with weight > 0',
    });
  }
  for (const [name, settings] of Object.entries(config.fraud.groundTruth)) {
    if (settings.minHours > settings.maxHours)
      issues.push({ path: `/fraud/groundTruth/${name}/minHours`, message: 'must not exceed maxHours' });
  }
  issues.push(...driftIssues(config));
  if (issues.length > 0) throw new ConfigError(source, issues);
  return config;
}

/** The topics of a run named `<prefix>.customers`, `<prefix>.transactions`, … */
export function prefixedTopics(prefix: string, partitions: number) {
  const { customers, merchants, transactions, labels, drift } = runTopicNames(prefix);
  return { customers, merchants, transactions, labels, drift, partitions };
}

export function startMsOf(config: GeneratorConfig): number {
  return Date.parse(`${config.startDate}T00:00:00Z`);
}

/**
 * The first simulated day: the configured start date in a backfill, today (UTC) in realtime, where
 * simulated days begin when the producer does (realtime.ts).
 */
export function simulatedStartMs(config: GeneratorConfig, nowMs = Date.now()): number {
  return config.mode === 'backfill' ? startMsOf(config) : Math.floor(nowMs / DAY_MS) * DAY_MS;
}

export type ScenarioSettings = { weight: number; recall: number } & Record<string, unknown>;

/** The configured scenarios with their settings, in registry order. */
export function scenarioSettings(config: GeneratorConfig): [string, ScenarioSettings][] {
  const configured = config.fraud.scenarios as Record<string, ScenarioSettings | undefined>;
  return SCENARIOS.flatMap((scenario) => {
    const settings = configured[scenario.name];
    return settings ? [[scenario.name, settings] as [string, ScenarioSettings]] : [];
  });
}
