#!/usr/bin/env node
/**
 * npm run stack -- up|down|status [--only kafka,postgres] [--json]
 * Runs Kafka, a schema registry, ClickHouse and Postgres natively on loopback, for machines
 * without Docker. Settings: `stack` in config/*.yaml or SYNFIN_STACK__* variables.
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../../core/config/load.ts';
import { isSynfinError } from '../../core/errors.ts';
import { nativeStack, type ServiceStatus } from './index.ts';
import { SERVICE_NAMES } from './services/index.ts';
import { ensureTestTools } from './tools.ts';

function printTable(statuses: readonly ServiceStatus[]): void {
  const rows = statuses.map((s) => [
    s.name,
    s.state,
    s.pid ? String(s.pid) : '-',
    s.endpoint,
    s.version ?? '',
    s.logFile,
  ]);
  const header = ['SERVICE', 'STATE', 'PID', 'ENDPOINT', 'VERSION', 'LOG'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of [header, ...rows]) {
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
}

const program = new Command('stack')
  .description('the native stack: Kafka (KRaft), Apicurio Registry, ClickHouse, PostgreSQL on loopback')
  .addOption(new Option('--only <services>', 'comma-separated subset').argParser((value) => value.split(',')))
  .option('--json', 'print the status as JSON');

async function act(action: 'up' | 'down' | 'status'): Promise<void> {
  const options = program.opts<{ only?: string[]; json?: boolean }>();
  const unknown = (options.only ?? []).filter((name) => !(SERVICE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0)
    program.error(`--only: unknown service ${unknown.join(', ')} (known: ${SERVICE_NAMES.join(', ')})`);
  const config = loadConfig();
  const say = options.json ? () => undefined : (message: string) => console.error(`[stack] ${message}`);
  const stack = nativeStack(config.stack, { only: options.only, say });
  // The test suite's tools come with the services, so `stack up` then `npm test` is enough.
  if (action === 'up') await ensureTestTools(say);
  const statuses = await stack[action]();
  if (options.json) console.log(JSON.stringify(statuses, null, 2));
  else printTable(statuses);
  if (action === 'status' && statuses.some((s) => s.state !== 'running')) process.exitCode = 3;
}

program
  .command('up')
  .description('install what is missing and start every service (a no-op when running)')
  .action(() => act('up'));
program
  .command('down')
  .description('stop the services this stack started')
  .action(() => act('down'));
program
  .command('tools')
  .description('install the tools the test suite runs (promtool) without starting any service')
  .action(async () => {
    const found = await ensureTestTools((message) => console.error(`[stack] ${message}`));
    for (const [tool, location] of Object.entries(found)) console.log(`${tool}  ${location}`);
  });
program
  .command('status')
  .description('show each service; exit 3 unless all run')
  .action(() => act('status'));

try {
  await program.parseAsync();
} catch (error) {
  if (isSynfinError(error)) {
    console.error(`[stack] error ${error.code}: ${error.message}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
