/** Running another program, or another entry point of this project, as part of a command. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../core/paths.ts';

/** Runs `command` with this terminal, passing on Ctrl-C and SIGTERM; resolves with its exit code. */
export function runInherited(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, forward);
    const done = (code: number) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, forward);
      resolve(code);
    };
    child.once('exit', (code) => done(code ?? 1));
    child.once('error', () => done(1));
  });
}

/** Runs `entry` (`producers/cli`, `deploy/local/stack`, …) from source or from the build, as this process runs. */
export function runEntry(
  entry: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<number> {
  const file = path.join(projectRoot(), `${entry}${path.extname(import.meta.filename)}`);
  return runInherited(process.execPath, [...nodeFlags, file, ...args]);
}
