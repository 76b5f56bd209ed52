import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isPortFree } from '../../../../deploy/local/ports.ts';
import {
  isAlive,
  isOurs,
  readPid,
  startDetached,
  stopProcess,
  tailFile,
} from '../../../../deploy/local/supervisor.ts';

// Plain OS processes (sh, sleep) stand in for services: this is about pids, logs and signals.
describe('supervisor', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'synfin-supervisor-'));

  it('starts a detached process, records its pid and captures its output', async () => {
    const log = path.join(dir, 'echo.log');
    const pidFile = path.join(dir, 'echo.pid');
    const pid = startDetached(
      { command: 'sh', args: ['-c', 'echo hello from the service; sleep 30'], cwd: dir },
      log,
      pidFile,
    );
    expect(readPid(pidFile)).toBe(pid);
    await sleep(200);
    expect(await tailFile(log, 5)).toContain('hello from the service');
    expect(isAlive(pid)).toBe(true);
    await stopProcess(pid, 'SIGTERM', 5000);
    expect(isAlive(pid)).toBe(false);
  });

  it('recognises its own process by the marker in the command line only', async () => {
    const marker = path.join(dir, 'marker-folder');
    const pid = startDetached(
      { command: 'sleep', args: ['30'], cwd: dir },
      path.join(dir, 'a.log'),
      path.join(dir, 'a.pid'),
    );
    const tagged = startDetached(
      { command: 'sh', args: ['-c', 'sleep 30', marker], cwd: dir },
      path.join(dir, 'b.log'),
      path.join(dir, 'b.pid'),
    );
    expect(await isOurs(tagged, marker)).toBe(true);
    expect(await isOurs(pid, marker)).toBe(false);
    await stopProcess(pid, 'SIGTERM', 5000);
    await stopProcess(tagged, 'SIGTERM', 5000);
    expect(await isOurs(tagged, marker)).toBe(false);
  });

  it('kills a process that ignores the polite signal once the grace period ends', async () => {
    const pid = startDetached(
      { command: 'sh', args: ['-c', "trap '' TERM; while true; do sleep 1; done"], cwd: dir },
      path.join(dir, 'stubborn.log'),
      path.join(dir, 'stubborn.pid'),
    );
    await sleep(200);
    const started = Date.now();
    await stopProcess(pid, 'SIGTERM', 500);
    expect(isAlive(pid)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('reads no pid from a missing or garbled pid file', () => {
    expect(readPid(path.join(dir, 'missing.pid'))).toBeUndefined();
    const garbled = path.join(dir, 'garbled.pid');
    writeFileSync(garbled, 'not a pid\n');
    expect(readPid(garbled)).toBeUndefined();
  });

  it('tells a taken port from a free one', async () => {
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    expect(await isPortFree('127.0.0.1', port)).toBe(false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isPortFree('127.0.0.1', port)).toBe(true);
  });
});
