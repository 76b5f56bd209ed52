/**
 * Starts a run's stages as child processes — the same CLIs a deployment runs — so generation at
 * full speed never competes with the API's event loop. Each child gets an IPC channel (control
 * messages; it stops when the control plane goes away) and a metrics port the supervisor scrapes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../core/ports.ts';
import type { ControlMessage } from '../../core/stage-protocol.ts';
import { PRODUCER_NODE_FLAGS } from '../../producers/node-flags.ts';
import { SINK_NODE_FLAGS } from '../../sinks/node-flags.ts';

export type StageKind = 'producer' | 'processors' | 'sinks';

export interface StageExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StageHandle {
  readonly kind: StageKind;
  readonly pid: number | undefined;
  /** `/metrics` of the stage. */
  readonly metricsUrl: string;
  /** Its metrics port (it listens on every interface), for Prometheus service discovery. */
  readonly metricsPort: number;
  send(message: ControlMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** SIGTERM: the stage finishes what it is doing (flush, commit, land) and exits. */
  stop(): void;
  kill(): void;
  readonly exited: Promise<StageExit>;
  /** The end of its stderr, for an error message. */
  stderrTail(): string;
}

export interface StageLauncher {
  launch(kind: StageKind, runId: string, settings: unknown): Promise<StageHandle>;
}

const ENTRY: Record<StageKind, string> = {
  producer: 'producers/cli',
  processors: 'processors/cli',
  sinks: 'sinks/cli',
};

/** Node flags a stage's process needs (processors set theirs per worker thread). */
const NODE_FLAGS: Record<StageKind, readonly string[]> = {
  producer: PRODUCER_NODE_FLAGS,
  processors: [],
  sinks: SINK_NODE_FLAGS,
};

/** The stage's entry point beside this file: `.ts` from source, `.js` from the build. */
function entryOf(kind: StageKind): string {
  const extension = path.extname(import.meta.filename);
  return path.join(import.meta.dirname, '..', '..', `${ENTRY[kind]}${extension}`);
}

export function processLauncher(options: { workDir: string; env?: NodeJS.ProcessEnv }): StageLauncher {
  return {
    async launch(kind, runId, settings) {
      const dir = path.resolve(options.workDir, runId);
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${kind}.yaml`);
      writeFileSync(file, stringify(settings));
      const port = await freePort();
      const args = [
        ...NODE_FLAGS[kind],
        entryOf(kind),
        '--config',
        file,
        '--metrics-port',
        String(port),
        ...(kind === 'producer' ? [] : ['--run-id', runId]),
      ];
      const child: ChildProcess = spawn(process.execPath, args, {
        env: { ...process.env, ...options.env, SYNFIN_LOG__PRETTY: 'false' },
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      });
      let tail = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        process.stderr.write(chunk);
        tail = (tail + chunk.toString('utf8')).slice(-2000);
      });
      const exited = new Promise<StageExit>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.once('error', () => resolve({ code: -1, signal: null }));
      });
      return {
        kind,
        pid: child.pid,
        metricsUrl: `http://127.0.0.1:${port}/metrics`,
        metricsPort: port,
        send(message) {
          if (child.connected) child.send(message);
        },
        onMessage(listener) {
          child.on('message', listener);
        },
        stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
        },
        kill() {
          if (child.exitCode === null) child.kill('SIGKILL');
        },
        exited,
        stderrTail: () => tail.trim(),
      };
    },
  };
}
