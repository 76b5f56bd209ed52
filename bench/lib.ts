/** What every benchmark prints and records: the machine, the versions, the numbers. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { controlPlaneClient } from '../control-plane/cli/client.ts';
import { newApiKey } from '../control-plane/http/auth.ts';
import { loadConfig } from '../core/config/load.ts';
import type { Config } from '../core/config/schema.ts';
import { createKafkaClient, type KafkaClient } from '../core/kafka/client.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { projectRoot } from '../core/paths.ts';
import { freePort } from '../core/ports.ts';
import { createRegistryCodec, type RegistryCodec } from '../core/registry/codec.ts';
import { nativeStack } from '../deploy/local/index.ts';
import { type GeneratorConfig, parseGeneratorConfig, prefixedTopics } from '../producers/config.ts';
import { runGenerator } from '../producers/run.ts';

export interface BenchRow {
  case: string;
  value: number;
  unit: string;
  target?: string;
  note?: string;
}

export function machine(): Record<string, string> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot() }).toString().trim();
  } catch {
    // not a checkout
  }
  return {
    date: new Date().toISOString(),
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    commit,
  };
}

export function report(name: string, rows: readonly BenchRow[], extra: Record<string, unknown> = {}): void {
  const info = machine();
  console.log(`\n## ${name}\n`);
  console.log(
    Object.entries(info)
      .map(([k, v]) => `${k}: ${v}`)
      .join(' · '),
  );
  console.log('\n| case | value | unit | target | note |\n| --- | ---: | --- | --- | --- |');
  for (const row of rows) {
    const value = row.value >= 100 ? Math.round(row.value).toLocaleString('en-US') : row.value.toFixed(2);
    console.log(`| ${row.case} | ${value} | ${row.unit} | ${row.target ?? ''} | ${row.note ?? ''} |`);
  }
  const dir = path.join(projectRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${name}.json`),
    `${JSON.stringify({ name, machine: info, rows, ...extra }, null, 2)}\n`,
  );
}

/** What a benchmark on the native stack starts with: the stack up, then the clients, logging warnings only. */
export async function benchServices(): Promise<{
  config: Readonly<Config>;
  logger: Logger;
  kafka: KafkaClient;
  codec: RegistryCodec;
}> {
  const config = loadConfig({ env: { ...process.env, SYNFIN_LOG__LEVEL: 'warn' } });
  await nativeStack(config.stack, { say: (m) => console.error(`[bench] ${m}`) }).up();
  const logger = createLogger({ level: 'warn', pretty: false });
  return {
    config,
    logger,
    kafka: createKafkaClient(config.kafka, logger),
    codec: createRegistryCodec(config.schemaRegistry),
  };
}

/** Starts a CPU profile of this process; `stop(file)` writes it (open it in Chrome DevTools). */
export async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.error(`[bench] CPU profile written to ${file}`);
    },
  };
}

/** A control plane of the bench's own (`synfin serve` on a free port, a fresh API key), answering. */
export async function startControlPlane(): Promise<{
  url: string;
  client: ReturnType<typeof controlPlaneClient>;
  stop(): Promise<void>;
}> {
  const { key, entry } = newApiKey('bench');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(
    process.execPath,
    [path.join(projectRoot(), 'control-plane/cli/synfin.ts'), 'serve', '--port', String(port)],
    {
      env: { ...process.env, SYNFIN_CONTROL_PLANE__API_KEY_HASHES: entry, SYNFIN_LOG__LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let i = 0; ; i++) {
    if ((await fetch(`${url}/health`).catch(() => undefined))?.ok) break;
    if (i > 120) throw new Error('control plane did not start');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    url,
    client: controlPlaneClient({ url, apiKey: key }),
    async stop() {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    },
  };
}

/** The generator settings of `benchInput`'s backfill (for a process reading topics another wrote). */
export function benchInputConfig(name: string, customers: number, days: number): GeneratorConfig {
  return parseGeneratorConfig({
    runId: name,
    customers,
    merchants: Math.max(100, customers / 20),
    days,
    topics: prefixedTopics(name, 6),
  });
}

/**
 * A backfill of `customers` over `days` into fresh topics of run `name` (6 partitions, one
 * merchant per 20 customers), produced before anything is measured; returns its config and counts.
 */
export async function benchInput(
  services: { kafka: KafkaClient; codec: RegistryCodec; logger: Logger },
  name: string,
  customers: number,
  days: number,
): Promise<{ generator: GeneratorConfig; produced: Record<string, number> }> {
  const generator = benchInputConfig(name, customers, days);
  const { produced } = await runGenerator(generator, { ...services, signal: new AbortController().signal });
  return { generator, produced };
}
