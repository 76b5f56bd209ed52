import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config/load.ts';
import { projectRoot } from '../../../core/paths.ts';
import { composeImage, readComposeFile } from '../../harness/compose-file.ts';

const compose = readComposeFile();
const INFRASTRUCTURE = ['kafka', 'schema-registry', 'clickhouse', 'postgres', 'prometheus', 'grafana'];

describe('docker-compose.yml', () => {
  it('has every service the code expects', () => {
    for (const name of [...INFRASTRUCTURE, 'doctor']) expect(compose.services, name).toHaveProperty(name);
  });

  it('pins every image to a tag, never latest', () => {
    for (const name of INFRASTRUCTURE) {
      const image = composeImage(compose, name);
      expect(image, name).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
      expect(image, name).not.toMatch(/:latest$/);
    }
  });

  it('uses the images the issue names', () => {
    expect(composeImage(compose, 'kafka')).toMatch(/^apache\/kafka:4\./);
    expect(composeImage(compose, 'schema-registry')).toMatch(/^confluentinc\/cp-schema-registry:/);
    expect(composeImage(compose, 'clickhouse')).toMatch(/^clickhouse\/clickhouse-server:/);
    expect(composeImage(compose, 'postgres')).toMatch(/^postgres:/);
  });

  it('gives each long-running service a healthcheck', () => {
    for (const name of INFRASTRUCTURE) expect(compose.services[name]?.healthcheck?.test, name).toBeDefined();
  });

  it('starts our own services only after their dependencies are healthy', () => {
    const doctor = compose.services.doctor;
    expect(doctor?.build).toBeDefined();
    for (const dependency of ['kafka', 'schema-registry', 'clickhouse', 'postgres']) {
      expect(doctor?.depends_on?.[dependency]?.condition, dependency).toBe('service_healthy');
    }
  });

  it('publishes the ports config/default.yaml points at', () => {
    const config = loadConfig({ env: {} });
    const published = (service: string) =>
      compose.services[service]?.ports?.map((port) => port.split(':').at(-2));
    expect(published('kafka')).toContain(config.kafka.brokers[0]?.split(':')[1]);
    expect(published('clickhouse')).toContain(new URL(config.clickhouse.url).port);
    expect(published('postgres')).toContain(new URL(config.postgres.url).port);
    expect(published('schema-registry')).toContain(new URL(config.schemaRegistry.url).port);
  });

  it('runs the Kafka broker with single-node replication settings', () => {
    const env = compose.services.kafka?.environment ?? {};
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(projectRoot(), 'deploy', 'Dockerfile'), 'utf8');

  it('is multi-stage on Node 24 and runs as a non-root user', () => {
    const stages = dockerfile.match(/^FROM\s+\S+/gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/node:24/);
    const user = /^USER\s+(\S+)/m.exec(dockerfile)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });

  it('copies only paths that exist in the repository', () => {
    for (const match of dockerfile.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)) {
      for (const source of (match[1] ?? '').split(/\s+/)) {
        expect(() => readFileSync(path.join(projectRoot(), source)), source).not.toThrow(/ENOENT/);
      }
    }
  });
});
