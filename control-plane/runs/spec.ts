/**
 * What a client asks for when it starts a run (the body of POST /v1/runs), and how a run's stages
 * are configured from it. The generation settings are the generator's own schema — same bounds,
 * same defaults — so the REST body, a YAML file and CLI flags (producers/run-parameters.ts) are
 * validated by the same rules.
 */
import Type, { type Static } from 'typebox';
import { ProcessorSchema, parseProcessorConfig, topicsFor } from '../../processors/config.ts';
import {
  type GeneratorConfig,
  GeneratorSchema,
  parseGeneratorConfig,
  prefixedTopics,
} from '../../producers/config.ts';
import {
  DEFAULT_SINK_NAMES,
  kindsWithout,
  PROCESSOR_KINDS,
  parseSinkConfig,
  runTopics,
  SINK_NAMES,
} from '../../sinks/config.ts';

const generator = GeneratorSchema.properties;

/**
 * How long the processors of a realtime run wait for event-time disorder. A realtime producer
 * stamps each event as it sends it, so events are out of order only by its batching and threads:
 * at 10,000 events/s, 1 s flagged no feature row late (bench/pipeline/realtime-latency.ts), while
 * the processors' own default (5 s, for inputs written by anyone) put every feature row 5 s behind.
 */
export const REALTIME_LATENESS_MS = 1000;

export const RunSpecSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      // Control characters (NUL above all: Postgres refuses it in text) have no place in a label.
      pattern: '^[^\\u0000-\\u001f\\u007f]+$',
      description: 'A label for people; ids are assigned',
    }),
    seed: generator.seed,
    mode: generator.mode,
    ratePerSecond: generator.ratePerSecond,
    rateShape: generator.rateShape,
    durationSeconds: generator.durationSeconds,
    maxTransactions: generator.maxTransactions,
    days: generator.days,
    startDate: generator.startDate,
    customers: generator.customers,
    merchants: generator.merchants,
    declineRate: generator.declineRate,
    fraud: generator.fraud,
    drift: generator.drift,
    partitions: generator.topics.properties.partitions,
    processors: Type.Boolean({ default: true, description: 'Derive features and labels in flight' }),
    processorThreads: ProcessorSchema.properties.threads,
    processorLatenessMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: `Event-time disorder the processors wait for; later events are flagged, not dropped (default ${REALTIME_LATENESS_MS} in realtime runs; in backfills the processors' own latenessMs)`,
      }),
    ),
    producerWorkers: generator.workers,
    sinks: Type.Array(Type.Enum([...SINK_NAMES]), {
      uniqueItems: true,
      default: [...DEFAULT_SINK_NAMES],
      description: 'Where to land the run (none: Kafka only)',
    }),
  },
  { additionalProperties: false },
);

export type RunSpec = Static<typeof RunSpecSchema>;

/** Everything the stages of one run are started with. */
export interface RunPlan {
  generator: GeneratorConfig;
  processors: ReturnType<typeof parseProcessorConfig> | undefined;
  sinks: ReturnType<typeof parseSinkConfig> | undefined;
  /** The run's topics: inputs `<id>.customers|merchants|transactions|labels`, outputs `<id>.features|labeled`. */
  topics: Record<string, string>;
}

/** Builds (and validates, with field paths) the stage settings of run `id`. */
export function planRun(id: string, spec: RunSpec): RunPlan {
  const inputs = prefixedTopics(id, spec.partitions);
  const generatorConfig = parseGeneratorConfig(
    {
      runId: id,
      seed: spec.seed,
      mode: spec.mode,
      ratePerSecond: spec.ratePerSecond,
      rateShape: spec.rateShape,
      durationSeconds: spec.durationSeconds,
      maxTransactions: spec.maxTransactions,
      days: spec.days,
      startDate: spec.startDate,
      customers: spec.customers,
      merchants: spec.merchants,
      declineRate: spec.declineRate,
      fraud: spec.fraud,
      drift: spec.drift,
      workers: spec.producerWorkers,
      topics: inputs,
    },
    'run spec',
  );
  const latenessMs =
    spec.processorLatenessMs ?? (spec.mode === 'realtime' ? REALTIME_LATENESS_MS : undefined);
  const processors = spec.processors
    ? parseProcessorConfig(
        {
          applicationId: id,
          idleMs: 2000,
          threads: spec.processorThreads,
          ...(latenessMs === undefined ? {} : { latenessMs }),
          topics: topicsFor(inputs, id),
        },
        'run spec',
      )
    : undefined;
  const sinks =
    spec.sinks.length > 0
      ? parseSinkConfig(
          {
            sinks: spec.sinks,
            groupPrefix: id,
            topics: runTopics(id),
            // Without processors there are no feature topics to read.
            ...(spec.processors ? {} : kindsWithout(spec.sinks, PROCESSOR_KINDS)),
            batch: { maxWaitMs: 500 },
          },
          'run spec',
        )
      : undefined;
  const topics: Record<string, string> = {
    customers: inputs.customers,
    merchants: inputs.merchants,
    transactions: inputs.transactions,
    labels: inputs.labels,
    drift: inputs.drift,
  };
  if (processors) {
    topics.features = processors.topics.features;
    topics.labeled = processors.topics.labeled;
  }
  return { generator: generatorConfig, processors, sinks, topics };
}
