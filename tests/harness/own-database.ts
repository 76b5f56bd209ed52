/**
 * A ClickHouse or Postgres server of a test's own, which the test may stop and start again (outage
 * tests) without disturbing the services the other suites share. Natively: a throw-away data dir
 * and ports of the native stack. With Testcontainers: a container on a fixed host port, stopped and
 * started through the container runtime (the same port after the restart).
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClickHouseContainer } from '@testcontainers/clickhouse';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { validateConfig } from '../../core/config/load.ts';
import { projectRoot } from '../../core/paths.ts';
import { freePort } from '../../core/ports.ts';
import { nativeStack } from '../../deploy/local/index.ts';
import { composeImage, readComposeFile } from './compose-file.ts';
import type { Endpoints } from './endpoints.ts';

export type DatabaseKind = 'clickhouse' | 'postgres';

export interface OwnDatabase {
  /** ClickHouse: the HTTP URL; Postgres: a connection URL to its `synfin` database. */
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes it for good. */
  remove(): Promise<void>;
}

async function nativeDatabase(kind: DatabaseKind): Promise<OwnDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `synfin-own-${kind}-`));
  // Postgres runs as its own user (when we are root), which must be able to enter the data dir.
  chmodSync(dataDir, 0o755);
  const [httpPort, tcpPort, interserverPort, postgresPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const stack = validateConfig({
    stack: {
      dataDir,
      softwareDir: path.join(projectRoot(), '.stack', 'opt'),
      startTimeoutMs: 90_000,
      clickhouse: { httpPort, tcpPort, interserverPort },
      postgres: { port: postgresPort },
    },
  }).stack;
  const server = nativeStack(stack, { only: [kind] });
  await server.up();
  return {
    url:
      kind === 'clickhouse'
        ? `http://127.0.0.1:${httpPort}`
        : `postgres://${stack.postgres.user}:${stack.postgres.password}@127.0.0.1:${postgresPort}/${stack.postgres.database}`,
    username: 'default',
    password: '',
    stop: async () => void (await server.down()),
    start: async () => void (await server.up()),
    remove: async () => void (await server.down()),
  };
}

async function containerDatabase(kind: DatabaseKind): Promise<OwnDatabase> {
  const image = composeImage(readComposeFile(), kind);
  const hostPort = await freePort();
  let started: StartedTestContainer;
  let url: string;
  let username = 'default';
  let password = '';
  if (kind === 'clickhouse') {
    const container = await new ClickHouseContainer(image)
      .withExposedPorts({ container: 8123, host: hostPort })
      .start();
    started = container;
    username = container.getUsername();
    password = container.getPassword();
    url = `http://${container.getHost()}:${hostPort}`;
  } else {
    const container = await new PostgreSqlContainer(image)
      .withDatabase('synfin')
      .withUsername('synfin')
      .withPassword('synfin')
      .withExposedPorts({ container: 5432, host: hostPort })
      .start();
    started = container;
    url = `postgres://synfin:synfin@${container.getHost()}:${hostPort}/synfin`;
  }
  const runtime = await getContainerRuntimeClient();
  const handle = runtime.container.getById(started.getId());
  return {
    url,
    username,
    password,
    stop: () => runtime.container.stop(handle),
    start: () => runtime.container.start(handle),
    remove: async () => void (await started.stop()),
  };
}

/** A server of the test's own, of the same kind of installation as the harness's services. */
export function ownDatabase(kind: DatabaseKind, endpoints: Endpoints): Promise<OwnDatabase> {
  return endpoints.source === 'testcontainers' ? containerDatabase(kind) : nativeDatabase(kind);
}
