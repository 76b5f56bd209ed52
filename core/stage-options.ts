import { Option } from 'commander';

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
