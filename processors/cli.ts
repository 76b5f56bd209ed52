#!/usr/bin/env node
/**
 * synfin process: the feature processors from the command line. Every instance with the same
 * application id joins the same consumer groups: start more to scale out (up to the partitions).
 * Settings: a YAML file (--config) overridden by flags, validated together.
 */
import { Command, Option } from 'commander';
import { createLogger } from '../core/logger.ts';
import { loadStageConfig, settingsSource, stageOptions } from '../core/stage-options.ts';
import { readSettingsFile, stageMain, stopOnSignals, withStageServices } from '../core/stage-process.ts';
import { parseProcessorConfig } from './config.ts';
import { runProcessorThreads } from './run.ts';

const number = (value: string) => Number(value);

const program = new Command('process')
  .description('derive ML features and fraud labels in flight, exactly once, from the generated topics')
  .option('--app-id <id>', 'application id: consumer groups, transactional ids, internal topics')
  .addOption(new Option('--stage <stage>', 'run one stage only').choices(['customer', 'merchant']))
  .option('--lateness-ms <ms>', 'event-time disorder to wait for', number)
  .option('--threads <n>', 'processor instances in this process, one per worker thread', number)
  .option('--idle-ms <ms>', 'a caught-up silent input stops holding events back after this long', number)
  .option('--label-delay-days <days>', 'how far behind the merchant windows sit', number);
for (const option of stageOptions('processor')) program.addOption(option);

program.parse();
const flags = program.opts<Record<string, string | number | undefined>>();

function processorInput(): Record<string, unknown> {
  const input = readSettingsFile(flags.config);
  const set = (key: string, value: unknown) => {
    if (value !== undefined) input[key] = value;
  };
  set('applicationId', flags.appId);
  set('stages', flags.stage === undefined ? undefined : [flags.stage]);
  set('latenessMs', flags.latenessMs);
  set('idleMs', flags.idleMs);
  set('threads', flags.threads);
  set('labelDelayDays', flags.labelDelayDays);
  return input;
}

const controller = new AbortController();
// Uncommitted work is aborted by the broker and redone after a restart.
stopOnSignals(controller, 'finishing the current transaction');

await stageMain(async () => {
  const config = loadStageConfig(flags);
  const settings = parseProcessorConfig(processorInput(), settingsSource(flags));
  const logBindings = {
    service: 'synfin-processor',
    runId: config.runId || undefined,
    app: settings.applicationId,
  };
  const logger = createLogger(config.log, logBindings);
  await withStageServices(
    {
      config,
      logger,
      metricsPort: flags.metricsPort as number | undefined,
      dependsOn: ['kafka', 'schema-registry'],
    },
    // Even one instance runs on a worker thread: its heap is sized for the stages there.
    ({ addMetrics }) =>
      runProcessorThreads(settings, { config, logger, logBindings, signal: controller.signal, addMetrics }),
  );
});
