/**
 * The native stack's behaviour on a bad environment and its idempotence, on a throw-away data dir
 * and ports of its own (so the stack the other suites use is not touched). ClickHouse and Kafka
 * stand in for any service: the runner treats them all alike.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../core/config/load.ts';
import { ServiceError } from '../../../../core/errors.ts';
import { projectRoot } from '../../../../core/paths.ts';
import { nativeStack } from '../../../../deploy/local/index.ts';
import { isAlive } from '../../../../deploy/local/supervisor.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'synfin-stack-test-'));

function stackConfig(stack: Record<string, unknown>) {
  return validateConfig({
    stack: {
      dataDir,
      // Reuse the software the main stack installed (or install it once for both).
      softwareDir: path.join(projectRoot(), '.stack', 'opt'),
      startTimeoutMs: 60_000,
      clickhouse: { httpPort: 28123, tcpPort: 29000, interserverPort: 29009 },
      kafka: { port: 29092, controllerPort: 29093 },
      ...stack,
    },
  }).stack;
}

async function failureOf(run: () => Promise<unknown>): Promise<ServiceError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a ServiceError');
}

describe('native stack', () => {
  afterAll(async () => {
    await nativeStack(stackConfig({})).down();
    const marker = path.join(dataDir, 'postgres', 'cluster-home');
    if (existsSync(marker)) rmSync(readFileSync(marker, 'utf8').trim(), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts Postgres with its data dir under a 0700 folder (a clone under /root, mktemp -d)', async () => {
    // mkdtemp makes the data dir 0700, as Debian makes /root; as root, the server runs as `postgres`.
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const config = stackConfig({ postgres: { port: 28432 } });
    const stack = nativeStack(config, { only: ['postgres'] });
    const [up] = await stack.up();
    expect(up).toMatchObject({ name: 'postgres', state: 'running' });
    expect(up?.version).toMatch(/^PostgreSQL \d+/);
    const client = new pg.Client({
      host: '127.0.0.1',
      port: 28432,
      user: config.postgres.user,
      password: config.postgres.password,
      database: config.postgres.database,
    });
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
    const marker = path.join(dataDir, 'postgres', 'cluster-home');
    if (process.getuid?.() === 0) {
      // The cluster moved where the postgres user can reach it, and the data dir says where.
      expect(readFileSync(marker, 'utf8').trim()).toMatch(/^\/var\/lib\/synfin\/postgres-[0-9a-f]{12}$/);
    } else {
      expect(existsSync(marker)).toBe(false);
    }
    // A second start finds the same cluster.
    expect((await stack.down())[0]?.state).toBe('stopped');
    const [again] = await stack.up();
    expect(again).toMatchObject({ state: 'running', started: true });
    await stack.down();
  });

  it('up twice starts once; status sees it; down leaves nothing running', async () => {
    const stack = nativeStack(stackConfig({}), { only: ['clickhouse'] });
    const [first] = await stack.up();
    expect(first).toMatchObject({ name: 'clickhouse', state: 'running', started: true });
    expect(first?.version).toMatch(/^ClickHouse \d+\./);

    const [second] = await stack.up();
    expect(second).toMatchObject({ state: 'running', started: false, pid: first?.pid });

    const [status] = await stack.status();
    expect(status).toMatchObject({ state: 'running', pid: first?.pid });

    const [stopped] = await stack.down();
    expect(stopped?.state).toBe('stopped');
    expect(isAlive(first?.pid ?? -1)).toBe(false);
    expect(existsSync(path.join(dataDir, 'clickhouse', 'clickhouse.pid'))).toBe(false);
    expect((await stack.status())[0]?.state).toBe('stopped');
  });

  it('refuses a port already taken, naming the service, the port and its log', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(28123, '127.0.0.1', resolve));
    try {
      const error = await failureOf(() => nativeStack(stackConfig({}), { only: ['clickhouse'] }).up());
      expect(error.code).toBe('SERVICE_PORT_IN_USE');
      expect(error.service).toBe('clickhouse');
      expect(error.message).toContain('28123');
      expect(error.logFile).toBe(path.join(dataDir, 'clickhouse', 'logs', 'clickhouse.log'));
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('reports a service that dies during start-up with its log, instead of waiting', async () => {
    // A heap no machine has: the JVM exits at once, as a misconfigured service would.
    const stack = nativeStack(
      stackConfig({ kafka: { port: 29092, controllerPort: 29093, heapMb: 100_000_000 } }),
      {
        only: ['kafka'],
      },
    );
    const started = Date.now();
    const error = await failureOf(() => stack.up());
    expect(error.code).toBe('SERVICE_START_FAILED');
    expect(error.service).toBe('kafka');
    expect(error.logFile).toBe(path.join(dataDir, 'kafka', 'logs', 'kafka.log'));
    expect(error.message).toMatch(/heap|memory|Could not/i);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await stack.status())[0]?.state).toBe('stopped');
  });
});
