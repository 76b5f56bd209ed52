/** Sink settings: one TypeBox schema, validated once at the edge (file, flags, REST body). */

import Type, { type Static } from 'typebox';
import { validateAgainst } from '../core/config/validate.ts';
import { deadLetterTopic, runTopicNames } from '../core/run-topology.ts';
import type { SinkDescriptor } from './descriptor.ts';
import {
  DEFAULT_SINK_NAMES,
  SINK_DESCRIPTORS,
  SINK_NAMES,
  type SinkName,
  sinkDescriptor,
} from './registry.ts';
import type { RecordKind } from './tables.ts';

const topicName = (fallback: string) =>
  Type.String({ pattern: '^[A-Za-z0-9._-]{1,249}$', default: fallback });
const kindsOf = (sink: SinkDescriptor) =>
  Type.Object(
    {
      kinds: Type.Array(Type.Enum([...sink.kinds] as RecordKind[]), {
        uniqueItems: true,
        default: [...(sink.defaultKinds ?? sink.kinds)],
      }),
    },
    { additionalProperties: false, default: {} },
  );
/** Per sink, named after it: the kinds of records it lands, among those its descriptor can. */
const SINK_SECTIONS = Object.fromEntries(
  SINK_DESCRIPTORS.map((sink) => [sink.name, kindsOf(sink)]),
) as Record<SinkName, ReturnType<typeof kindsOf>>;

export { DEFAULT_SINK_NAMES, SINK_NAMES, type SinkName };

export const SinkSchema = Type.Object(
  {
    sinks: Type.Array(Type.Enum([...SINK_NAMES]), {
      minItems: 1,
      uniqueItems: true,
      default: [...DEFAULT_SINK_NAMES],
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
    ...SINK_SECTIONS,
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

/** The kinds of records the processors write: a run without processors has no such topics. */
export const PROCESSOR_KINDS: readonly RecordKind[] = ['features', 'labeled', 'deadLetters'];

/** Per sink named: its default kinds without `excluded` (a sink settings fragment). */
export function kindsWithout(
  sinks: readonly string[],
  excluded: readonly RecordKind[],
): Record<string, { kinds: RecordKind[] }> {
  return Object.fromEntries(
    sinks.map((name) => {
      const sink = sinkDescriptor(name);
      return [name, { kinds: (sink.defaultKinds ?? sink.kinds).filter((kind) => !excluded.includes(kind)) }];
    }),
  );
}
