/**
 * The settings of the feature processors, validated once at the edge (CLI flags, a YAML file, a
 * REST body) with one schema, then passed down frozen.
 */

import Type, { type Static } from 'typebox';
import { validateAgainst } from '../core/config/validate.ts';
import { ConfigError, type ConfigIssue } from '../core/errors.ts';
import { COMPRESSIONS } from '../core/kafka/client.ts';
import { deadLetterTopic, runTopicName } from '../core/run-topology.ts';
import { featureFields } from './features/catalog.ts';
import type { Rule } from './features/rules.ts';

const topicName = (fallback: string) =>
  Type.String({ pattern: '^[A-Za-z0-9._-]{1,249}$', default: fallback });

const RuleSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    score: Type.Number({ minimum: 0, maximum: 100 }),
    when: Type.Array(
      Type.Object(
        {
          feature: Type.String({ minLength: 1 }),
          op: Type.Enum(['>', '>=', '<', '<=', '==', '!=']),
          value: Type.Union([Type.Number(), Type.Boolean(), Type.String()]),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

/** Rules a fraud analyst would start from; every one names features of the catalog. */
export const DEFAULT_RULES: Rule[] = [
  { name: 'amount_outlier', score: 30, when: [{ feature: 'amountZScore30d', op: '>', value: 3 }] },
  {
    name: 'above_30d_max',
    score: 15,
    when: [
      { feature: 'amountToMax30d', op: '>=', value: 1 },
      { feature: 'customerTxCount30d', op: '>=', value: 10 },
    ],
  },
  { name: 'impossible_speed', score: 40, when: [{ feature: 'speedFromPreviousKmh', op: '>', value: 900 }] },
  { name: 'far_from_home', score: 15, when: [{ feature: 'distanceFromHomeKm', op: '>', value: 500 }] },
  { name: 'burst_last_hour', score: 25, when: [{ feature: 'customerTxCount1h', op: '>=', value: 5 }] },
  { name: 'many_merchants_24h', score: 15, when: [{ feature: 'distinctMerchants24h', op: '>=', value: 8 }] },
  { name: 'risky_merchant', score: 30, when: [{ feature: 'merchantRisk7d', op: '>', value: 0.2 }] },
  {
    name: 'night_online',
    score: 10,
    when: [
      { feature: 'isNight', op: '==', value: true },
      { feature: 'channel', op: '==', value: 'ECOMMERCE' },
    ],
  },
];

export const ProcessorSchema = Type.Object(
  {
    applicationId: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$',
      default: 'synfin-features',
      description: 'Consumer groups, transactional ids and internal topics are named after it',
    }),
    stages: Type.Array(Type.Enum(['customer', 'merchant']), {
      minItems: 1,
      uniqueItems: true,
      default: ['customer', 'merchant'],
      description: 'Which stages this process runs (both by default; one each to scale them apart)',
    }),
    topics: Type.Object(
      {
        transactions: topicName('transactions'),
        labels: topicName('fraud.labels'),
        customers: topicName('customers'),
        features: topicName('transactions.features'),
        labeled: topicName('transactions.labeled'),
      },
      { additionalProperties: false, default: {} },
    ),
    latenessMs: Type.Integer({
      minimum: 0,
      default: 5_000,
      description: 'Event-time disorder waited for; later events are flagged, not dropped',
    }),
    idleMs: Type.Integer({
      minimum: 100,
      default: 3_000,
      description: 'A caught-up input silent this long stops holding the watermark back',
    }),
    labelDelayDays: Type.Number({
      minimum: 0,
      default: 7,
      description: 'How far behind the merchant windows sit',
    }),
    joinHorizonDays: Type.Number({
      exclusiveMinimum: 0,
      default: 30,
      description: 'How long features wait for their label',
    }),
    labelJoin: Type.Union([Type.Literal('memory'), Type.Literal('kafka')], {
      default: 'memory',
      description:
        "Where an emitted purchase's features record waits for its label: in memory (fast), or read back from the features topic by offset (~300 B less per purchase kept; a Kafka read per label)",
    }),
    commitIntervalMs: Type.Integer({
      minimum: 10,
      default: 100,
      description: 'How often a stage commits its transaction (as Kafka Streams under exactly-once)',
    }),
    maxBatchBytes: Type.Integer({
      minimum: 65_536,
      default: 4 * 1024 * 1024,
      description: 'Input bytes processed before a commit comes early',
    }),
    instanceId: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9._-]+$',
        description:
          "Names this instance's transactional producer; unique per running instance (default host-pid)",
      }),
    ),
    threads: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 1,
      description:
        'Instances this process runs, each on a worker thread of its own, in the same consumer groups (partitions are split between them)',
    }),
    compression: Type.Enum([...COMPRESSIONS], {
      default: 'lz4',
      description: 'Codec of what the stages produce (lz4: measured fastest here, see the README)',
    }),
    rules: Type.Array(RuleSchema, { default: DEFAULT_RULES }),
  },
  { additionalProperties: false },
);

export type ProcessorConfig = Static<typeof ProcessorSchema>;
export type StageName = ProcessorConfig['stages'][number];

const featureTypes = new Map(featureFields.map((spec) => [spec.name, spec.type]));

/** Validates processor settings; rules must name catalog features and compare like with like. */
export function parseProcessorConfig(input: unknown, source = 'processor config'): Readonly<ProcessorConfig> {
  const config = validateAgainst(ProcessorSchema, input, source);
  const issues: ConfigIssue[] = [];
  const names = new Set<string>();
  config.rules.forEach((rule, r) => {
    if (names.has(rule.name))
      issues.push({ path: `/rules/${r}/name`, message: `duplicate rule ${rule.name}` });
    names.add(rule.name);
    rule.when.forEach((condition, c) => {
      const path = `/rules/${r}/when/${c}`;
      const type = featureTypes.get(condition.feature);
      if (type === undefined || type === 'string[]') {
        issues.push({ path: `${path}/feature`, message: `unknown feature ${condition.feature}` });
        return;
      }
      const expected = type === 'int' || type === 'double' ? 'number' : type;
      if (typeof condition.value !== expected) {
        issues.push({ path: `${path}/value`, message: `${condition.feature} is a ${expected}` });
      } else if (expected !== 'number' && condition.op !== '==' && condition.op !== '!=') {
        issues.push({ path: `${path}/op`, message: `${condition.feature} is compared with == or != only` });
      }
    });
  });
  if (issues.length > 0) throw new ConfigError(source, issues);
  return config;
}

/** Processor topics reading a run's inputs and writing `<prefix>.features` / `<prefix>.labeled`. */
export function topicsFor(
  inputs: { transactions: string; labels: string; customers: string },
  prefix: string,
) {
  const { transactions, labels, customers } = inputs;
  return {
    transactions,
    labels,
    customers,
    features: runTopicName(prefix, 'features'),
    labeled: runTopicName(prefix, 'labeled'),
  };
}

/** Kafka Streams-style internal names, all derived from the application id. */
export function internalTopics(config: Pick<ProcessorConfig, 'applicationId'>) {
  const app = config.applicationId;
  return {
    merchantInput: `${app}.merchant-input`,
    merchantFeatures: `${app}.merchant-features`,
    customerChangelog: `${app}.customer-changelog`,
    merchantChangelog: `${app}.merchant-changelog`,
    deadLetters: deadLetterTopic(app),
  };
}
