/**
 * Starting and stopping the stack's own processes: detached, output to a log file, pid in a pid file.
 * A process counts as ours only while its command line still contains the service's marker (its
 * folder under the data dir), so a recycled pid is never signalled.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user (postgres refuses to run as root). */
  uid?: number;
  gid?: number;
}

export function startDetached(spec: SpawnSpec, logFile: string, pidFile: string): number {
  const out = openSync(logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', out, out],
      ...(spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.gid }),
    });
    // An exec failure (ENOENT) is reported asynchronously; keep it from crashing us: the readiness
    // wait sees the process gone and reports the log.
    child.on('error', (error) => writeFileSync(logFile, `\nspawn failed: ${error.message}\n`, { flag: 'a' }));
    if (child.pid === undefined) throw new Error(`could not spawn ${spec.command}`);
    child.unref();
    writeFileSync(pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by its parent) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** True when `pid` is alive and its command line contains `marker`. */
export async function isOurs(pid: number, marker: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
    return cmdline.includes(marker);
  } catch {
    // No /proc (macOS): trust the pid file, which only we write.
    return true;
  }
}

/** Sends `signal`, waits up to `graceMs`, then SIGKILLs the process group. */
export async function stopProcess(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signalGroup(signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  signalGroup('SIGKILL');
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
}

export function removePidFile(pidFile: string): void {
  rmSync(pidFile, { force: true });
}

export async function tailFile(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } catch {
    return '';
  }
}
