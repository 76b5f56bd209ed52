/** Sink settings: one TypeBox schema, validated once at the edge (file, flags, REST body). */

import Type, { type Static } from 'typebox';
import { validateAgainst } from '../core/config/validate.ts';
import { deadLetterTopic, runTopicNames } from '../core/run-topology.ts';
import { RECORD_KINDS, type RecordKind } from './tables.ts';

const topicName = (fallback: string) =>
  Type.String({ pattern: '^[A-Za-z0-9._-]{1,249}$', default: fallback });
const kinds = (allowed: readonly RecordKind[]) =>
  Type.Array(Type.Enum([...allowed]), { uniqueItems: true, default: [...allowed] });

export const SINK_NAMES = ['clickhouse', 'postgres'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

export const SinkSchema = Type.Object(
  {
    sinks: Type.Array(Type.Enum([...SINK_NAMES]), {
      minItems: 1,
      uniqueItems: true,
      default: [...SINK_NAMES],
      description: 'Which sinks this process runs (one each to scale them apart)',
    }),
    groupPrefix: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$',
      default: 'synfin-sink',
      description: 'Consumer group of a sink: <groupPrefix>-<sink>',
    }),
    topics: Type.Object(
      {
        customers: topicName('customers'),
        merchants: topicName('merchants'),
        transactions: topicName('transactions'),
        labels: topicName('fraud.labels'),
        features: topicName('transactions.features'),
        labeled: topicName('transactions.labeled'),
        deadLetters: topicName('synfin-features.dlq'),
      },
      { additionalProperties: false, default: {} },
    ),
    clickhouse: Type.Object({ kinds: kinds(RECORD_KINDS) }, { additionalProperties: false, default: {} }),
    postgres: Type.Object(
      { kinds: kinds(['customers', 'merchants', 'labels']) },
      { additionalProperties: false, default: {} },
    ),
    batch: Type.Object(
      {
        maxRows: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 20_000 }),
        maxBytes: Type.Integer({ minimum: 1024, default: 16 * 1024 * 1024 }),
        maxWaitMs: Type.Integer({ minimum: 1, default: 1000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    retry: Type.Object(
      {
        minMs: Type.Integer({ minimum: 1, default: 200 }),
        maxMs: Type.Integer({ minimum: 1, default: 15_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    maxBytesPerPartition: Type.Integer({ minimum: 65_536, default: 4 * 1024 * 1024 }),
    maxBytesPerFetch: Type.Integer({
      minimum: 65_536,
      default: 1024 * 1024,
      description:
        'Bytes one fetch may bring (compressed, as on the wire): with one fetch ahead, the memory reading takes is about twice this times the compression ratio',
    }),
  },
  { additionalProperties: false },
);

export type SinkConfig = Static<typeof SinkSchema>;

export function parseSinkConfig(input: unknown, source = 'sink config'): Readonly<SinkConfig> {
  return validateAgainst(SinkSchema, input, source);
}

/** Topic → kind of record, for the kinds a sink is configured to land. */
export function routesOf(config: SinkConfig, sink: SinkName): Map<string, RecordKind> {
  return new Map(config[sink].kinds.map((kind) => [config.topics[kind], kind]));
}

/**
 * The topics of a run named by `prefix` (producers' `prefixedTopics`, processors' `topicsFor` with
 * the same prefix), the processors' dead letters under their application id.
 */
export function runTopics(prefix: string, applicationId = prefix): SinkConfig['topics'] {
  const { customers, merchants, transactions, labels, features, labeled } = runTopicNames(prefix);
  return {
    customers,
    merchants,
    transactions,
    labels,
    features,
    labeled,
    deadLetters: deadLetterTopic(applicationId),
  };
}
