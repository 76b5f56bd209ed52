import path from 'node:path';
import type { StackConfig } from '../../core/config/schema.ts';
import type { SpawnSpec } from './supervisor.ts';

/** What every service of the native stack shares: its resolved settings and folders. */
export interface StackContext {
  config: StackConfig;
  /** Absolute data folder: software under opt/, each service under its own folder. */
  dataDir: string;
  /** Absolute folder of downloaded software, shared by stacks with different data dirs. */
  softwareDir: string;
  /** The project root, where deploy/local/maven/pom.xml lives. */
  projectRoot: string;
  /** Progress lines for the person at the terminal. */
  say(message: string): void;
}

/**
 * One service of the native stack. A new service is a new file under services/ implementing this,
 * added to the list in services/index.ts.
 */
export interface NativeService {
  readonly name: string;
  /** Loopback ports the service listens on; all must be free before it starts. */
  readonly ports: readonly number[];
  /** Its folder under the data dir; also the marker that identifies its processes. */
  readonly home: string;
  /** What its process's command line contains when not `home` (a cluster kept elsewhere). */
  processMarker?(): string;
  readonly logFile: string;
  readonly pidFile: string;
  /** What clients use, e.g. 127.0.0.1:19092 or http://127.0.0.1:18123. */
  readonly endpoint: string;
  /** Signal for a clean shutdown (postgres wants SIGINT for a fast one). */
  readonly stopSignal: NodeJS.Signals;
  /** Finds or installs the software; idempotent. */
  install(): Promise<void>;
  /** Writes config and initialises storage on first start; idempotent. */
  prepare(): Promise<void>;
  command(): Promise<SpawnSpec>;
  /** One readiness check: true once the service answers clients. */
  probe(): Promise<boolean>;
  /** After it answers: create what the stack promises (the Postgres database, …). */
  afterStart?(): Promise<void>;
  version(): Promise<string>;
}

export function serviceFolders(ctx: StackContext, name: string) {
  const home = path.join(ctx.dataDir, name);
  return {
    home,
    logFile: path.join(home, 'logs', `${name}.log`),
    pidFile: path.join(home, `${name}.pid`),
  };
}
