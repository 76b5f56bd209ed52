#!/usr/bin/env node
/**
 * synfin: the project's command line. `serve` runs the control plane; `run …` talks to it over
 * REST; `stack`, `produce`, `process`, `sink` run one piece alone; `generate`, `schemas`,
 * `validate` and `demo` work without the control plane.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import colors from 'picocolors';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../core/config/load.ts';
import { isSynfinError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { MODEL_NAMES } from '../../evaluation/models/index.ts';
import { evaluateRun, reportTable, writeReport } from '../../evaluation/report.ts';
import { parseEvaluationSettings } from '../../evaluation/settings.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../producers/config.ts';
import { PRODUCER_NODE_FLAGS } from '../../producers/node-flags.ts';
import {
  applyRunParameters,
  type RunParameterFlag,
  runParameterOptions,
} from '../../producers/run-parameters.ts';
import { SINK_NODE_FLAGS } from '../../sinks/node-flags.ts';
import { DEFAULT_SINK_NAMES, SINK_NAMES } from '../../sinks/registry.ts';
import { hashKey, newApiKey } from '../http/auth.ts';
import { startControlPlane } from '../serve.ts';
import { controlPlaneClient } from './client.ts';
import { demo } from './demo.ts';
import { runEntry } from './entry.ts';
import { FILE_FORMATS, type FileFormat, generateFiles } from './generate.ts';
import { checkAll, registerAll } from './schemas.ts';
import { validateRun } from './validate.ts';
import { describeStatus, watchRun } from './watch.ts';

const number = (value: string) => Number(value);
const program = new Command('synfin').description('SynFinance Stream: synthetic financial data, streamed');

for (const [name, entry, description, nodeFlags] of [
  ['stack', 'deploy/local/stack', 'the native stack: up | down | status | tools', []],
  [
    'produce',
    'producers/cli',
    'generate a run onto Kafka (one producer; --shard to scale out)',
    PRODUCER_NODE_FLAGS,
  ],
  ['process', 'processors/cli', 'run the feature processors (one instance; more scale out)', []],
  [
    'sink',
    'sinks/cli',
    `run the sinks: ${SINK_NAMES.join(', ')} (one instance; more scale out)`,
    SINK_NODE_FLAGS,
  ],
] as const) {
  program
    .command(name)
    .description(description)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(async (args: string[]) => {
      process.exitCode = await runEntry(entry, args, nodeFlags);
    });
}

program
  .command('serve')
  .description('run the control plane (REST on controlPlane.host:port; SIGTERM drains)')
  .option('--port <port>', 'listen here instead of controlPlane.port', number)
  .action(async (flags: { port?: number }) => {
    const config = loadConfig();
    const logger = createLogger(config.log, { service: 'synfin-control-plane' });
    const controlPlane = await startControlPlane(config, logger, { port: flags.port });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'draining: no new requests; runs flush and commit');
        const force = setTimeout(() => process.exit(1), config.controlPlane.drainTimeoutMs + 5000);
        void controlPlane.close().then(() => {
          clearTimeout(force);
          process.exit(0);
        });
      });
    }
  });

const keys = program
  .command('keys')
  .description('API keys of the control plane (only hashes are configured)');
keys
  .command('new <id>')
  .description('make a random key; configure the printed id:hash, give the key to the client')
  .action((id: string) => {
    const { key, entry } = newApiKey(id);
    console.log(
      `key:   ${key}\nentry: ${entry}\n\nexport SYNFIN_CONTROL_PLANE__API_KEY_HASHES=${entry}  # server\nexport SYNFIN_API_KEY=${key}  # client`,
    );
  });
keys
  .command('hash <id> <key>')
  .description('the id:hash entry for an existing key')
  .action((id: string, key: string) => console.log(`${id}:${hashKey(key)}`));

const runs = program
  .command('run')
  .description('start, list, watch and steer runs through the control plane')
  .option(
    '--url <url>',
    'control plane URL',
    process.env.SYNFIN_CONTROL_PLANE_URL ?? 'http://127.0.0.1:18080',
  )
  .option('--api-key <key>', 'API key for changes (or SYNFIN_API_KEY)', process.env.SYNFIN_API_KEY);
const client = () => {
  const { url, apiKey } = runs.opts<{ url: string; apiKey?: string }>();
  return controlPlaneClient({ url, apiKey });
};

const start = runs
  .command('start')
  .description('start a run from a YAML/JSON spec and/or flags (flags win)')
  .option('--file <spec>', 'run spec file (the POST /v1/runs body)')
  .option('--name <name>', 'run name', 'cli run');
for (const option of runParameterOptions()) start.addOption(option);
start
  .option('--no-processors', 'do not derive features')
  .option(
    '--sinks <list>',
    `comma-separated, of ${SINK_NAMES.join(', ')} (default ${DEFAULT_SINK_NAMES.join(',')}; empty: none)`,
  )
  .option('--watch', 'follow the run until it ends')
  .action(async (flags: Record<string, string | number | boolean | undefined>) => {
    const spec: Record<string, unknown> = flags.file
      ? (parseYaml(readFileSync(String(flags.file), 'utf8')) as Record<string, unknown>)
      : {};
    if (!(flags.file && spec.name)) spec.name = flags.name;
    applyRunParameters(spec, flags, 'spec');
    if (flags.processors === false) spec.processors = false;
    if (flags.sinks !== undefined) spec.sinks = String(flags.sinks).split(',').filter(Boolean);
    const run = await client().start(spec);
    console.log(`${run.id}  ${run.state}`);
    if (flags.watch) console.log(describeStatus(await watchRun(client(), run.id)));
  });

runs
  .command('list')
  .option('--state <state>', 'only runs in this state')
  .option('--limit <n>', 'page size', number, 20)
  .option('--offset <n>', 'skip this many', number, 0)
  .action(async (flags: { state?: string; limit: number; offset: number }) => {
    const page = await client().list(flags);
    console.table(
      page.items.map((r) => ({
        id: r.id,
        name: r.name,
        state: r.state,
        created: r.createdAt,
        error: r.error ?? '',
      })),
    );
    console.log(`${page.items.length} of ${page.total}`);
  });

runs
  .command('status <id>')
  .option('--json', 'the raw status')
  .action(async (id: string, flags: { json?: boolean }) => {
    const status = await client().status(id);
    console.log(flags.json ? JSON.stringify(status, null, 2) : describeStatus(status));
  });

runs
  .command('drift <id>')
  .description('the run’s drift manifest: the true change points of its schedule')
  .option('--json', 'the raw manifest')
  .action(async (id: string, flags: { json?: boolean }) => {
    const manifest = await client().drift(id);
    if (flags.json) console.log(JSON.stringify(manifest, null, 2));
    else if (manifest.changes.length === 0) console.log(`${id}: no drift scheduled`);
    else
      for (const change of manifest.changes)
        console.log(`${change.startTime.slice(0, 10)}  ${change.kind}  ${change.description}`);
  });

runs
  .command('watch <id>')
  .description('follow a run (Server-Sent Events) until it ends')
  .action(async (id: string) => console.log(describeStatus(await watchRun(client(), id))));

for (const action of ['pause', 'resume', 'stop'] as const) {
  runs
    .command(`${action} <id>`)
    .action(async (id: string) => console.log(`${id}  ${(await client().act(id, action)).state}`));
}
runs
  .command('rate <id> <eventsPerSecond>')
  .description('change a realtime run’s rate while it runs')
  .action(async (id: string, rate: string) => {
    await client().setRate(id, Number(rate));
    console.log(`${id}  rate ${rate}/s`);
  });

/** A backfill to files: the parameters of a backfill (no rate, no topics). */
const GENERATE_PARAMETERS: readonly RunParameterFlag[] = [
  'seed',
  'customers',
  'merchants',
  'days',
  'start-date',
  'max-transactions',
  'fraud-rate',
  'difficulty',
];
const generate = program
  .command('generate')
  .description('write a seeded backfill to files (no Kafka): one file per event kind, streamed')
  .addOption(new Option('--format <format>', 'file format').choices([...FILE_FORMATS]).default('jsonl'))
  .requiredOption('--out <dir>', 'output folder')
  .option('--config <file>', 'generator settings (YAML)');
for (const option of runParameterOptions(GENERATE_PARAMETERS)) generate.addOption(option);
generate.action(async (flags: Record<string, string | number | undefined>) => {
  const input: Record<string, unknown> = flags.config
    ? ((parseYaml(readFileSync(String(flags.config), 'utf8')) ?? {}) as Record<string, unknown>)
    : {};
  applyRunParameters(input, flags);
  const config = parseGeneratorConfig({ ...input, mode: 'backfill' }, 'flags');
  const started = Date.now();
  const result = await generateFiles(config, flags.format as FileFormat, String(flags.out), {
    onProgress: (rows) => {
      if (process.stderr.isTTY)
        process.stderr.write(`\r${colors.cyan(`${rows.transactions ?? 0} transactions`)}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  for (const [name, file] of Object.entries(result.files))
    console.log(`${String(result.rows[name]).padStart(10)}  ${file}`);
  console.log(`in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

const schemas = program.command('schemas').description('the Avro schemas in the registry');
for (const action of ['register', 'check'] as const) {
  schemas
    .command(action)
    .description(
      action === 'register' ? 'register the four input schemas' : 'would the registry accept them?',
    )
    .option('--topic-prefix <prefix>', 'subjects <prefix>.<topic>-value (default: the unprefixed topics)')
    .action(async (flags: { topicPrefix?: string }) => {
      const config = loadConfig();
      const topics = flags.topicPrefix
        ? parseGeneratorConfig({ topics: prefixedTopics(flags.topicPrefix, 1) })
        : parseGeneratorConfig({});
      const results = await (action === 'register' ? registerAll : checkAll)(config.schemaRegistry, topics);
      for (const r of results) console.log(`${r.outcome.padEnd(12)} ${r.subject}  ${r.detail}`);
      if (results.some((r) => r.outcome === 'incompatible')) process.exitCode = 1;
    });
}

program
  .command('validate')
  .description('a data-quality report of one run over ClickHouse (exit 1 if a check fails)')
  .requiredOption('--run <id>', 'the run id (its topic prefix)')
  .option('--fraud-rate <fraction>', 'the configured fraud rate to compare with', number)
  .option('--json', 'the report as JSON')
  .action(async (flags: { run: string; fraudRate?: number; json?: boolean }) => {
    const report = await validateRun(loadConfig().clickhouse, flags.run, {
      expectedFraudRate: flags.fraudRate,
    });
    if (flags.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.table(report.counts);
      for (const c of report.checks)
        console.log(`${c.ok ? colors.green('ok  ') : colors.red('FAIL')} ${c.name}: ${c.detail}`);
      console.log('null rates of features:', report.nullRates);
      console.log('distributions:', report.distributions);
      if ('skipped' in report.detection)
        console.log(`detection: not evaluated (${report.detection.skipped})`);
      else {
        console.log('detection (synfin evaluate with its defaults):');
        console.table(report.detection.models);
      }
    }
    if (report.checks.some((c) => !c.ok)) process.exitCode = 1;
  });

program
  .command('evaluate')
  .description(
    'how hard is this run? prequential AUC, AP and Card Precision@k of the rule score and a trained baseline, over ClickHouse',
  )
  .requiredOption('--run <id>', 'the run id (its topic prefix)')
  .option('--out <dir>', 'folder for evaluation.json, metrics.csv and chart.svg (default: evaluation-<run>)')
  .option('--train-days <n>', 'days each model trains on')
  .option('--delay-days <n>', 'days skipped between training and test (the label delay)')
  .option('--k <n>', 'cards per day for Card Precision@k')
  .option('--models <list>', `comma-separated: ${MODEL_NAMES.join(',')}`)
  .option('--json', 'the report as JSON on stdout')
  .action(async (flags: Record<string, string | boolean | undefined>) => {
    const settings = parseEvaluationSettings(
      {
        ...(flags.trainDays !== undefined ? { trainDays: flags.trainDays } : {}),
        ...(flags.delayDays !== undefined ? { delayDays: flags.delayDays } : {}),
        ...(flags.k !== undefined ? { k: flags.k } : {}),
        ...(flags.models !== undefined ? { models: String(flags.models).split(',').filter(Boolean) } : {}),
      },
      'flags',
    );
    const run = String(flags.run);
    const report = await evaluateRun(loadConfig().clickhouse, run, settings);
    const files = await writeReport(report, String(flags.out ?? `evaluation-${run}`));
    if (flags.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(reportTable(report));
      console.log('');
      for (const [what, file] of Object.entries(files)) console.log(`${what.padEnd(5)} ${file}`);
    }
  });

program
  .command('demo')
  .description('stack up, a seeded run through the control plane with every stage, live progress, queries')
  .option('--customers <n>', 'customers', number, 2000)
  .option('--days <n>', 'simulated days (16: enough to evaluate detectors on the last two)', number, 16)
  .option('--seed <n>', 'seed', number, 7)
  .action((flags: { customers: number; days: number; seed: number }) => demo(flags));

try {
  await program.parseAsync();
} catch (error) {
  if (!isSynfinError(error)) throw error;
  console.error(`error ${error.code}: ${error.message}`);
  process.exitCode = 2;
}
