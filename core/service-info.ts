/**
 * Who answers at the configured endpoints, and which versions they run. Used by `synfin-doctor`
 * and by the integration harness to name the real services a test run talked to.
 */
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import pg from 'pg';
import type { Config } from './config/schema.ts';
import { createKafkaClient } from './kafka/client.ts';
import { createLogger } from './logger.ts';
import type { Readiness } from './metrics-server.ts';

export interface ServiceReport {
  name: 'kafka' | 'schema-registry' | 'clickhouse' | 'postgres';
  endpoint: string;
  ok: boolean;
  version?: string;
  error?: string;
}

async function report(
  name: ServiceReport['name'],
  endpoint: string,
  probe: () => Promise<string>,
): Promise<ServiceReport> {
  try {
    return { name, endpoint, ok: true, version: await probe() };
  } catch (error) {
    return { name, endpoint, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Redacts the password of a connection URL for display. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

async function kafkaInfo(config: Config): Promise<string> {
  const kafka = createKafkaClient(
    { ...config.kafka, clientId: `${config.kafka.clientId}-doctor`, connectionTimeoutMs: 3000 },
    createLogger({ level: 'silent', pretty: false }),
    { clientRetries: 1 },
  );
  try {
    const cluster = await kafka.describeCluster();
    // The Kafka protocol does not carry the broker's release; the cluster id and size are what it tells.
    return `Kafka cluster ${cluster.clusterId}, ${cluster.brokers} broker(s)`;
  } finally {
    await kafka.close();
  }
}

async function registryInfo(config: Config): Promise<string> {
  const base = config.schemaRegistry.url.replace(/\/+$/, '');
  const subjects = await fetch(`${base}/subjects`, { signal: AbortSignal.timeout(5000) });
  if (!subjects.ok) throw new Error(`GET /subjects answered ${subjects.status}`);
  const apicurio = await fetch(`${new URL(base).origin}/apis/registry/v3/system/info`).catch(() => undefined);
  if (apicurio?.ok) {
    const info = (await apicurio.json()) as { name?: string; version?: string };
    return `${info.name ?? 'Apicurio Registry'} ${info.version ?? ''} (Confluent-compatible API)`.trim();
  }
  const confluent = await fetch(`${base}/v1/metadata/version`).catch(() => undefined);
  if (confluent?.ok) {
    const info = (await confluent.json()) as { version?: string };
    return `Confluent Schema Registry ${info.version ?? ''}`.trim();
  }
  return 'Confluent-compatible schema registry (version not reported)';
}

async function clickhouseInfo(config: Config): Promise<string> {
  const client = createClient({
    url: config.clickhouse.url,
    username: config.clickhouse.username,
    password: config.clickhouse.password,
    request_timeout: 5000,
    log: { level: ClickHouseLogLevel.OFF },
  });
  try {
    const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
    const rows = await result.json<{ version: string }>();
    return `ClickHouse ${rows[0]?.version ?? 'unknown'}`;
  } finally {
    await client.close();
  }
}

async function postgresInfo(config: Config): Promise<string> {
  const client = new pg.Client({ connectionString: config.postgres.url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${result.rows[0]?.server_version ?? 'unknown'}`;
  } finally {
    await client.end();
  }
}

export const SERVICE_NAMES: readonly ServiceReport['name'][] = [
  'kafka',
  'schema-registry',
  'clickhouse',
  'postgres',
];

/** Probes the named services (all by default), in parallel; a failure is reported, never thrown. */
export function probeServices(
  config: Config,
  names: readonly ServiceReport['name'][] = SERVICE_NAMES,
): Promise<ServiceReport[]> {
  const probes: Record<ServiceReport['name'], () => Promise<ServiceReport>> = {
    kafka: () => report('kafka', config.kafka.brokers.join(','), () => kafkaInfo(config)),
    'schema-registry': () => report('schema-registry', config.schemaRegistry.url, () => registryInfo(config)),
    clickhouse: () => report('clickhouse', config.clickhouse.url, () => clickhouseInfo(config)),
    postgres: () => report('postgres', displayUrl(config.postgres.url), () => postgresInfo(config)),
  };
  return Promise.all(names.map((name) => probes[name]()));
}

/** `/ready` of a process: the services it depends on, probed at most every few seconds however often asked. */
export function cachedReadiness(
  config: Config,
  dependsOn: readonly ServiceReport['name'][] = SERVICE_NAMES,
): () => Promise<Readiness> {
  let last: { at: number; report: Promise<Readiness> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > 5000) {
      const report = probeServices(config, dependsOn).then((reports) => {
        const failed = reports.filter((r) => !r.ok).map((r) => ({ name: r.name, error: r.error ?? '' }));
        return { ready: failed.length === 0, failed };
      });
      last = { at: Date.now(), report };
    }
    return last.report;
  };
}
