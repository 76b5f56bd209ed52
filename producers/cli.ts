#!/usr/bin/env node
/**
 * synfin produce: one generation run from the command line (and the unit a scaled-out run is made
 * of: `--shard 2/4`). Settings: a YAML file (--config) overridden by flags, validated together.
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../core/config/load.ts';
import { COMPRESSIONS, type Compression } from '../core/kafka/client.ts';
import { createLogger } from '../core/logger.ts';
import { settingsSource, stageOptions } from '../core/stage-options.ts';
import { readSettingsFile, stageMain, stopOnSignals, withStageServices } from '../core/stage-process.ts';
import { type ControlMessage, isControlMessage, reportToControlPlane } from '../core/stage-protocol.ts';
import { parseGeneratorConfig } from './config.ts';
import { RunControl } from './control.ts';
import { producerMetrics } from './metrics.ts';
import { runGenerator } from './run.ts';
import { applyRunParameters, runParameterOptions } from './run-parameters.ts';
import { runGeneratorThreads } from './threads.ts';

const number = (value: string) => Number(value);

const program = new Command('produce').description(
  'generate a seeded synthetic world and stream its events to Kafka as Avro',
);
for (const option of stageOptions('generator', 'run id, the prefix of every transaction id'))
  program.addOption(option);
for (const option of runParameterOptions()) program.addOption(option);
program
  .option('--shard <index/count>', 'own one shard of the customers, e.g. 0/4')
  .addOption(new Option('--compression <codec>', 'Kafka compression').choices(COMPRESSIONS).default('zstd'))
  .option('--batch <messages>', 'messages per produce request', number, 4000);

program.parse();
const flags = program.opts<Record<string, string | number | undefined>>();

function generatorInput(configuredRunId: string): Record<string, unknown> {
  const fromFile = readSettingsFile(flags.config);
  // SYNFIN_RUN_ID (or config) names the run when neither the file nor a flag does.
  if (configuredRunId && fromFile.runId === undefined) fromFile.runId = configuredRunId;
  const input = applyRunParameters({ ...fromFile }, flags);
  if (flags.runId !== undefined) input.runId = flags.runId;
  if (flags.shard !== undefined) {
    const [index, count] = String(flags.shard).split('/');
    input.shard = { index, count };
  }
  return input;
}

const controller = new AbortController();
stopOnSignals(controller, 'stopping after the current event, flushing what was produced');
// Under the control plane (an IPC channel): pause, resume, rate and stop arrive as messages.
const control = new RunControl(() => controller.abort());
const controlListeners: ((message: ControlMessage) => void)[] = [];
process.on('message', (message: unknown) => {
  if (!isControlMessage(message)) return;
  control.apply(message);
  for (const listener of controlListeners) listener(message);
});

await stageMain(async () => {
  const loaded = loadConfig();
  const generator = parseGeneratorConfig(generatorInput(loaded.runId), settingsSource(flags));
  // The run's id labels this process's metrics and log lines, as it does the other stages'.
  const config = { ...loaded, runId: generator.runId };
  const logger = createLogger(config.log, { service: 'synfin-producer', runId: generator.runId });
  await withStageServices(
    {
      config,
      logger,
      metricsPort: flags.metricsPort as number | undefined,
      dependsOn: ['kafka', 'schema-registry'],
    },
    async ({ kafka, codec, registry, addMetrics }) => {
      const sink = {
        batchMessages: Number(flags.batch),
        maxInFlight: 4,
        compression: flags.compression as Compression,
      };
      const summary =
        generator.workers > 1
          ? await runGeneratorThreads(generator, {
              config,
              logger,
              signal: controller.signal,
              sink,
              onControl: (listener) => controlListeners.push(listener),
              addMetrics,
            })
          : await runGenerator(generator, {
              kafka,
              codec,
              logger,
              metrics: producerMetrics(registry),
              addMetrics,
              signal: controller.signal,
              control,
              sink,
            });
      const seconds = (summary.endedAt - summary.startedAt) / 1000;
      const total = Object.values(summary.produced).reduce((a, b) => a + b, 0);
      console.log(
        `${summary.stopped ? 'stopped' : 'done'}: ${JSON.stringify(summary.produced)} (${summary.fraudTransactions} fraudulent) in ${seconds.toFixed(1)} s, ${Math.round(total / seconds)} events/s`,
      );
      reportToControlPlane({
        type: 'summary',
        summary: { produced: summary.produced, fraudTransactions: summary.fraudTransactions },
      });
    },
  );
});
