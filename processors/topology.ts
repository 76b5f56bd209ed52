/**
 * The processors' topology on Kafka: input topics checked for co-partitioning, internal and output
 * topics created, output schemas registered, and the two stage specs the runtime runs.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { SynfinError } from '../core/errors.ts';
import type { KafkaClient, TopicSpec } from '../core/kafka/client.ts';
import type { RegistryCodec } from '../core/registry/codec.ts';
import { projectingDecoder } from '../core/registry/projection.ts';
import { stageGroup } from '../core/run-topology.ts';
import { type OutputCodec, outputCodec } from './avro.ts';
import { internalTopics, type ProcessorConfig } from './config.ts';
import type { StageSpec } from './engine/runtime.ts';
import { featuresSchema, labeledSchema } from './features/catalog.ts';
import type { ProcessorMetrics } from './metrics.ts';
import { CustomerTask } from './stages/customer-task.ts';
import { CUSTOMER_FIELDS, LABEL_FIELDS, TRANSACTION_FIELDS } from './stages/inputs.ts';
import { MerchantTask } from './stages/merchant-task.ts';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export interface Topology {
  partitions: number;
  stages: StageSpec[];
  codecs: { features: OutputCodec; labeled: OutputCodec };
}

/** Waits for the input topics (the producer may start after us) and checks they are co-partitioned. */
async function inputPartitions(kafka: KafkaClient, config: ProcessorConfig, waitMs: number): Promise<number> {
  const { transactions, labels, customers } = config.topics;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const counts = await Promise.all(
      [transactions, labels, customers].map((topic) => kafka.partitionCount(topic)),
    );
    if (counts.every((count) => count !== undefined)) {
      if (new Set(counts).size > 1) {
        throw new SynfinError(
          'TOPICS_NOT_COPARTITIONED',
          `${transactions}, ${labels} and ${customers} must have the same number of partitions (they have ${counts.join(', ')}): all three are keyed by customer`,
        );
      }
      return counts[0] as number;
    }
    if (Date.now() >= deadline) {
      const missing = [transactions, labels, customers].filter((_, i) => counts[i] === undefined);
      throw new SynfinError(
        'TOPIC_MISSING',
        `input topics missing after ${waitMs} ms: ${missing.join(', ')} (processors.topics)`,
      );
    }
    await sleep(1000);
  }
}

export async function buildTopology(
  config: ProcessorConfig,
  deps: { kafka: KafkaClient; codec: RegistryCodec; metrics: ProcessorMetrics; waitForInputsMs?: number },
): Promise<Topology> {
  const { kafka, codec, metrics } = deps;
  const internal = internalTopics(config);
  const partitions = await inputPartitions(kafka, config, deps.waitForInputsMs ?? 60_000);
  const stream = (topic: string): TopicSpec => ({
    topic,
    partitions,
    configs: { 'retention.ms': String(WEEK_MS) },
  });
  const compacted = (topic: string): TopicSpec => ({
    topic,
    partitions,
    configs: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' },
  });
  await kafka.ensureTopics([
    {
      // Kept past the label horizon: a label join reads its purchase's features record back from
      // here (every join with `labelJoin: kafka`, a restored purchase's in either mode).
      ...stream(config.topics.features),
      configs: { 'retention.ms': String((config.joinHorizonDays + 7) * DAY_MS) },
    },
    stream(config.topics.labeled),
    stream(internal.merchantInput),
    stream(internal.merchantFeatures),
    stream(internal.deadLetters),
    compacted(internal.customerChangelog),
    compacted(internal.merchantChangelog),
  ]);
  const merchantPartitions = (await kafka.partitionCount(internal.merchantInput)) ?? partitions;
  const codecs = {
    features: outputCodec(
      await codec.register(`${config.topics.features}-value`, featuresSchema()),
      featuresSchema(),
    ),
    labeled: outputCodec(
      await codec.register(`${config.topics.labeled}-value`, labeledSchema()),
      labeledSchema(),
    ),
  };
  // Each Avro input decoded with only the fields its facts read.
  const projections = new Map([
    [config.topics.transactions, projectingDecoder(codec, new Set(TRANSACTION_FIELDS))],
    [config.topics.labels, projectingDecoder(codec, new Set(LABEL_FIELDS))],
    [config.topics.customers, projectingDecoder(codec, new Set(CUSTOMER_FIELDS))],
  ]);
  const decode = async (topic: string, value: Buffer | null): Promise<unknown> => {
    const projection = projections.get(topic);
    if (!projection) return value;
    if (value === null) throw new SynfinError('MESSAGE_DECODE_FAILED', 'empty value (a tombstone?)');
    return projection.decode(value);
  };
  const decodeKnown = (topic: string, value: Buffer | null): unknown => {
    const projection = projections.get(topic);
    if (!projection) return value;
    if (value === null) throw new SynfinError('MESSAGE_DECODE_FAILED', 'empty value (a tombstone?)');
    return projection.decodeKnown(value);
  };
  const customer: StageSpec = {
    name: 'customer',
    groupId: stageGroup(config.applicationId, 'customer'),
    inputs: [
      config.topics.transactions,
      config.topics.labels,
      config.topics.customers,
      internal.merchantFeatures,
    ],
    changelog: internal.customerChangelog,
    decode,
    decodeKnown,
    createTask: (partition) =>
      new CustomerTask({
        partition,
        partitions,
        merchantPartitions,
        config,
        internal,
        codecs,
        onCount: (what, n = 1) => {
          if (what === 'late') metrics.late.inc({ stage: 'customer' }, n);
          else if (what === 'dead_letter') metrics.deadLetters.inc({ stage: 'customer' }, n);
          else if (what === 'label_joined') metrics.labels.inc({ outcome: 'joined' }, n);
          else if (what === 'label_unmatched') metrics.labels.inc({ outcome: 'unmatched' }, n);
        },
      }),
  };
  const merchant: StageSpec = {
    name: 'merchant',
    groupId: stageGroup(config.applicationId, 'merchant'),
    inputs: [internal.merchantInput],
    changelog: internal.merchantChangelog,
    decode,
    decodeKnown,
    createTask: (partition) =>
      new MerchantTask({
        partition,
        config,
        internal,
        onCount: (what, n = 1) => {
          if (what === 'late') metrics.late.inc({ stage: 'merchant' }, n);
          else metrics.deadLetters.inc({ stage: 'merchant' }, n);
        },
      }),
  };
  const stages = [customer, merchant].filter((stage) => config.stages.includes(stage.name));
  // Series at 0 from the start: rate() and the alerts see a counter before its first increment.
  for (const stage of stages) {
    metrics.late.inc({ stage: stage.name }, 0);
    metrics.deadLetters.inc({ stage: stage.name }, 0);
  }
  if (stages.includes(customer))
    for (const outcome of ['joined', 'unmatched']) metrics.labels.inc({ outcome }, 0);
  return { partitions, stages, codecs };
}
