/**
 * Who answers at the configured endpoints, and which versions they run. Used by `synfin-doctor`
 * and by the integration harness to name the real services a test run talked to.
 */

import { SINK_DESCRIPTORS, sinkConnection } from '../sinks/registry.ts';
import type { Config } from './config/schema.ts';
import { createKafkaClient } from './kafka/client.ts';
import { createLogger } from './logger.ts';
import type { Readiness } from './metrics-server.ts';

export interface ServiceReport {
  /** `kafka`, `schema-registry`, or the name of a sink (sinks/registry.ts). */
  name: string;
  endpoint: string;
  ok: boolean;
  version?: string;
  error?: string;
}

async function report(name: string, endpoint: string, probe: () => Promise<string>): Promise<ServiceReport> {
  try {
    return { name, endpoint, ok: true, version: await probe() };
  } catch (error) {
    return { name, endpoint, ok: false, error: error instanceof Error ? error.message : String(error) };
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

interface ServiceProbe {
  name: string;
  endpoint(config: Config): string;
  version(config: Config): Promise<string>;
}

/** Kafka, the registry, then each sink as its descriptor probes it. */
const PROBES: readonly ServiceProbe[] = [
  { name: 'kafka', endpoint: (config) => config.kafka.brokers.join(','), version: kafkaInfo },
  { name: 'schema-registry', endpoint: (config) => config.schemaRegistry.url, version: registryInfo },
  ...SINK_DESCRIPTORS.map(
    (sink): ServiceProbe => ({
      name: sink.name,
      endpoint: (config) => sink.endpoint(sinkConnection(config, sink.name)),
      version: (config) => sink.probe(sinkConnection(config, sink.name)),
    }),
  ),
];

export const SERVICE_NAMES: readonly string[] = PROBES.map((probe) => probe.name);

/** Probes the named services (all by default), in parallel; a failure is reported, never thrown. */
export function probeServices(
  config: Config,
  names: readonly string[] = SERVICE_NAMES,
): Promise<ServiceReport[]> {
  return Promise.all(
    names.map((name) => {
      const probe = PROBES.find((candidate) => candidate.name === name);
      if (!probe) return { name, endpoint: '', ok: false, error: `no such service: ${name}` };
      return report(name, probe.endpoint(config), () => probe.version(config));
    }),
  );
}

/** `/ready` of a process: the services it depends on, probed at most every few seconds however often asked. */
export function cachedReadiness(
  config: Config,
  dependsOn: readonly string[] = SERVICE_NAMES,
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
