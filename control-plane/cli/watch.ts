/** `synfin run watch`: a run's progress live, from its event stream, with a progress bar on a terminal. */
import cliProgress from 'cli-progress';
import colors from 'picocolors';
import type { RunStatus } from '../runs/status.ts';
import type { ControlPlaneClient } from './client.ts';

const format = (n: number) => n.toLocaleString('en-US');

export function describeStatus(status: RunStatus): string {
  const produced = Object.entries(status.produced)
    .map(([topic, n]) => `${topic} ${format(n)}`)
    .join(', ');
  const sinks = Object.entries(status.sinkRows)
    .map(([sink, tables]) => `${sink} ${format(Object.values(tables).reduce((a, b) => a + b, 0))} rows`)
    .join(', ');
  const lag = [
    status.consumerLag.processors === null ? '' : `processors ${format(status.consumerLag.processors)}`,
    ...Object.entries(status.consumerLag.sinks).map(([sink, n]) => `${sink} ${format(n)}`),
  ]
    .filter(Boolean)
    .join(', ');
  const behind =
    status.keepingUp === false && status.targetRatePerSecond !== null
      ? ` (below the target ${format(status.targetRatePerSecond)} ev/s: the machine cannot keep up)`
      : '';
  return `${status.state}/${status.phase}  ${format(status.ratePerSecond)} ev/s${behind}  produced: ${produced}${sinks ? `  landed: ${sinks}` : ''}${lag ? `  lag: ${lag}` : ''}`;
}

/** Follows the run until it ends; returns its final status. */
export async function watchRun(
  client: ControlPlaneClient,
  id: string,
  options: { total?: number | undefined; out?: NodeJS.WriteStream } = {},
): Promise<RunStatus> {
  const out = options.out ?? process.stderr;
  const tty = Boolean(out.isTTY);
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: `${colors.cyan('{bar}')} {percentage}% | {value}/{total} transactions | {line}`,
          hideCursor: true,
          stream: out,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let last: RunStatus | undefined;
  let lastLine = 0;
  bar?.start(options.total ?? 0, 0, { line: '' });
  for await (const { event, data } of client.events(id)) {
    const status = (event === 'state' ? last : data) as RunStatus | undefined;
    if (!status) continue;
    last = status;
    const transactions = status.produced.transactions ?? 0;
    if (bar) {
      if (!options.total) bar.setTotal(Math.max(transactions, 1));
      bar.update(transactions, { line: describeStatus(status) });
    } else if (Date.now() - lastLine > 2000 || event === 'end') {
      out.write(`${describeStatus(status)}\n`);
      lastLine = Date.now();
    }
    if (event === 'end') break;
  }
  bar?.stop();
  if (!last) throw new Error(`run ${id} sent no status`);
  return last;
}
