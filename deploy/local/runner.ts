/**
 * up / down / status of the native stack. `up` is idempotent: a service already running and
 * answering is left alone. Every failure names the service and its log file; nothing waits forever.
 */
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError, SynfinError } from '../../core/errors.ts';
import type { NativeService, StackContext } from './native-service.ts';
import { isPortFree } from './ports.ts';
import {
  isAlive,
  isOurs,
  readPid,
  removePidFile,
  startDetached,
  stopProcess,
  tailFile,
} from './supervisor.ts';

export type ServiceState = 'running' | 'stopped' | 'unhealthy';

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  pid?: number;
  endpoint: string;
  logFile: string;
  version?: string;
  /** For `up`: whether this call started it. */
  started?: boolean;
}

const PROBE_INTERVAL_MS = 500;

async function ourPid(service: NativeService): Promise<number | undefined> {
  const pid = readPid(service.pidFile);
  if (pid !== undefined && (await isOurs(pid, service.processMarker?.() ?? service.home))) return pid;
  if (pid !== undefined) removePidFile(service.pidFile);
  return undefined;
}

async function startOne(ctx: StackContext, service: NativeService): Promise<ServiceStatus> {
  const running = await ourPid(service);
  if (running !== undefined) {
    if (await service.probe()) {
      return {
        name: service.name,
        state: 'running',
        pid: running,
        endpoint: service.endpoint,
        logFile: service.logFile,
        started: false,
      };
    }
    // Ours but not answering (still starting after a crash of `up`?): wait for it like a fresh start.
    await waitReady(ctx, service, running);
    return {
      name: service.name,
      state: 'running',
      pid: running,
      endpoint: service.endpoint,
      logFile: service.logFile,
      started: false,
    };
  }

  for (const port of service.ports) {
    if (!(await isPortFree(ctx.config.host, port))) {
      throw new ServiceError(
        'SERVICE_PORT_IN_USE',
        service.name,
        `port ${port} on ${ctx.config.host} is already in use by another process; stop it or choose other ports under stack.${service.name} in config`,
        { logFile: service.logFile },
      );
    }
  }

  await service.install();
  mkdirSync(service.home, { recursive: true });
  await service.prepare();
  const spec = await service.command();
  ctx.say(`${service.name}: starting`);
  const pid = startDetached(spec, service.logFile, service.pidFile);
  await waitReady(ctx, service, pid);
  await service.afterStart?.();
  return {
    name: service.name,
    state: 'running',
    pid,
    endpoint: service.endpoint,
    logFile: service.logFile,
    started: true,
  };
}

async function waitReady(ctx: StackContext, service: NativeService, pid: number): Promise<void> {
  const deadline = Date.now() + ctx.config.startTimeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      removePidFile(service.pidFile);
      const tail = await tailFile(service.logFile, 15);
      throw new ServiceError(
        'SERVICE_START_FAILED',
        service.name,
        `exited during start-up. Last log lines:\n${tail}\n`,
        {
          logFile: service.logFile,
        },
      );
    }
    if (await service.probe()) return;
    await sleep(PROBE_INTERVAL_MS);
  }
  await stopProcess(pid, 'SIGKILL', 0);
  removePidFile(service.pidFile);
  throw new ServiceError(
    'SERVICE_START_TIMEOUT',
    service.name,
    `did not answer within ${Math.round(ctx.config.startTimeoutMs / 1000)} s; stopped it`,
    { logFile: service.logFile },
  );
}

/**
 * Starts every service not yet running. If one fails, the services this call started are stopped
 * again, so a failed `up` leaves nothing of ours behind.
 */
export async function stackUp(
  ctx: StackContext,
  services: readonly NativeService[],
): Promise<ServiceStatus[]> {
  mkdirSync(ctx.dataDir, { recursive: true });
  mkdirSync(ctx.softwareDir, { recursive: true });
  const statuses: ServiceStatus[] = [];
  try {
    for (const service of services) {
      const status = await startOne(ctx, service);
      status.version = await service.version().catch(() => undefined);
      ctx.say(`${service.name}: ${status.started ? 'started' : 'already running'} at ${service.endpoint}`);
      statuses.push(status);
    }
  } catch (error) {
    const startedHere = services.filter((service) =>
      statuses.some((s) => s.name === service.name && s.started),
    );
    await stackDown(ctx, startedHere).catch(() => undefined);
    throw error;
  }
  return statuses;
}

export async function stackDown(
  ctx: StackContext,
  services: readonly NativeService[],
): Promise<ServiceStatus[]> {
  const statuses: ServiceStatus[] = [];
  for (const service of [...services].reverse()) {
    const pid = await ourPid(service);
    if (pid !== undefined) {
      ctx.say(`${service.name}: stopping (pid ${pid})`);
      await stopProcess(pid, service.stopSignal, 30_000);
      if (isAlive(pid)) {
        throw new SynfinError('SERVICE_STOP_FAILED', `${service.name}: pid ${pid} did not stop`);
      }
    }
    removePidFile(service.pidFile);
    statuses.unshift({
      name: service.name,
      state: 'stopped',
      endpoint: service.endpoint,
      logFile: service.logFile,
    });
  }
  return statuses;
}

export async function stackStatus(services: readonly NativeService[]): Promise<ServiceStatus[]> {
  return Promise.all(
    services.map(async (service): Promise<ServiceStatus> => {
      const pid = await ourPid(service);
      const base = { name: service.name, endpoint: service.endpoint, logFile: service.logFile };
      if (pid === undefined) return { ...base, state: 'stopped' };
      if (!(await service.probe())) return { ...base, state: 'unhealthy', pid };
      return { ...base, state: 'running', pid, version: await service.version().catch(() => undefined) };
    }),
  );
}
