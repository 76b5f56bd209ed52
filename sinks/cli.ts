#!/usr/bin/env node
/**
 * synfin sink: land topics in the sinks (sinks/registry.ts). Every instance with the same group prefix
 * joins the same consumer groups: start more to scale out (up to the partitions).
 * Settings: a YAML file (--config) overridden by flags, validated together.
 */
import { Command, Option } from 'commander';
import { createLogger } from '../core/logger.ts';
import { loadStageConfig, settingsSource, stageOptions } from '../core/stage-options.ts';
import { readSettingsFile, stageMain, stopOnSignals, withStageServices } from '../core/stage-process.ts';
import { parseSinkConfig, runTopics, SINK_NAMES } from './config.ts';
import { sinkMetrics } from './metrics.ts';
import { SINK_DESCRIPTORS } from './registry.ts';
import { runSinks } from './run.ts';

const number = (value: string) => Number(value);

const program = new Command('sink')
  .description(
    `land the generated, feature and label topics, exactly once, in: ${SINK_DESCRIPTORS.map((sink) => `${sink.name} (${sink.description})`).join('; ')}`,
  )
  .addOption(new Option('--sink <name>', 'run one sink only').choices([...SINK_NAMES]))
  .option('--group-prefix <prefix>', 'consumer groups are <prefix>-<sink>')
  .option('--topic-prefix <prefix>', 'read <prefix>.customers, <prefix>.transactions, … (a run’s topics)')
  .option('--batch-rows <n>', 'write a batch at this many rows', number)
  .option('--batch-wait-ms <ms>', 'write a batch once its oldest row waited this long', number);
for (const option of stageOptions('sink')) program.addOption(option);

program.parse();
const flags = program.opts<Record<string, string | number | undefined>>();

function sinkInput(): Record<string, unknown> {
  const input = readSettingsFile(flags.config);
  if (flags.sink !== undefined) input.sinks = [flags.sink];
  if (flags.groupPrefix !== undefined) input.groupPrefix = flags.groupPrefix;
  if (flags.topicPrefix !== undefined) {
    input.topics = { ...runTopics(String(flags.topicPrefix)), ...(input.topics as object | undefined) };
  }
  const batch = { ...(input.batch as object | undefined) } as Record<string, unknown>;
  if (flags.batchRows !== undefined) batch.maxRows = flags.batchRows;
  if (flags.batchWaitMs !== undefined) batch.maxWaitMs = flags.batchWaitMs;
  input.batch = batch;
  return input;
}

const controller = new AbortController();
// Whatever is not landed is read again after a restart.
stopOnSignals(controller, 'landing the current batch');

await stageMain(async () => {
  const config = loadStageConfig(flags);
  const settings = parseSinkConfig(sinkInput(), settingsSource(flags));
  const logger = createLogger(config.log, { service: 'synfin-sink', runId: config.runId || undefined });
  await withStageServices(
    {
      config,
      logger,
      metricsPort: flags.metricsPort as number | undefined,
      dependsOn: ['kafka', 'schema-registry', ...settings.sinks],
    },
    ({ kafka, codec, registry }) =>
      runSinks(settings, {
        config,
        kafka,
        codec,
        logger,
        metrics: sinkMetrics(registry),
        signal: controller.signal,
      }),
  );
});
