import { Option } from 'commander';
import { loadConfig } from './config/load.ts';
import type { Config } from './config/schema.ts';

/**
 * The flags every stage CLI has, the same everywhere: its settings file (flags win over it), the
 * run it works for, and where it serves /metrics, /health and /ready.
 */
export function stageOptions(settings: string, runIdHelp = 'the run this process works for'): Option[] {
  return [
    new Option('--config <file>', `YAML file with ${settings} settings`),
    new Option('--run-id <id>', `${runIdHelp}: run_id on metrics, runId on log lines`),
    new Option('--metrics-port <port>', 'serve /metrics, /health and /ready on this port').argParser(Number),
  ];
}

/** What those flags give, as commander parses them. */
export interface StageFlags {
  config?: string | number | undefined;
  runId?: string | number | undefined;
  metricsPort?: string | number | undefined;
}

/** The project configuration of a stage process, with the run a flag names over the configured one. */
export function loadStageConfig(flags: StageFlags): Readonly<Config> {
  return loadConfig(flags.runId === undefined ? {} : { overrides: { runId: String(flags.runId) } });
}

/** Where a stage's settings came from, for the messages that refuse them. */
export function settingsSource(flags: StageFlags): string {
  return flags.config ? `${flags.config} + flags` : 'flags';
}
