import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envOverrides, loadConfig, validateConfig } from '../../../../core/config/load.ts';
import { ConfigError, SynfinError } from '../../../../core/errors.ts';

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'synfin-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills every setting from the schema defaults when no file sets it', () => {
    const config = loadConfig({ env: {}, configDir: configDir({}) });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(config.stack.kafka.port).toBe(19092);
    expect(config.stack.postgres.port).toBe(15432);
    expect(config.schemaRegistry.compatibility).toBe('BACKWARD');
    expect(config.env).toBe('development');
  });

  it('layers default.yaml, then <env>.yaml, then variables', () => {
    const dir = configDir({
      'default.yaml': 'kafka:\n  clientId: from-default\nlog:\n  level: info\n',
      'production.yaml': 'kafka:\n  clientId: from-production\n',
    });
    const config = loadConfig({
      configDir: dir,
      env: { SYNFIN_ENV: 'production', SYNFIN_LOG__LEVEL: 'error', SYNFIN_KAFKA__BROKERS: 'a:1, b:2' },
    });
    expect(config.env).toBe('production');
    expect(config.kafka.clientId).toBe('from-production');
    expect(config.log.level).toBe('error');
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
  });

  it('maps SCHEMA_REGISTRY to schemaRegistry and converts numbers', () => {
    const overrides = envOverrides({
      SYNFIN_SCHEMA_REGISTRY__URL: 'http://registry:8081',
      SYNFIN_STACK__KAFKA__PORT: '29092',
    });
    expect(overrides).toEqual({
      schemaRegistry: { url: 'http://registry:8081' },
      stack: { kafka: { port: '29092' } },
    });
    const config = loadConfig({ env: { SYNFIN_STACK__KAFKA__PORT: '29092' }, configDir: configDir({}) });
    expect(config.stack.kafka.port).toBe(29092);
  });

  it('takes TLS and SASL for a managed Kafka from variables, and refuses an unknown mechanism', () => {
    const config = loadConfig({
      env: {
        SYNFIN_KAFKA__SSL: 'true',
        SYNFIN_KAFKA__SASL__MECHANISM: 'scram-sha-512',
        SYNFIN_KAFKA__SASL__USERNAME: 'svc',
        SYNFIN_KAFKA__SASL__PASSWORD: 'secret',
      },
    });
    expect(config.kafka.ssl).toBe(true);
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'secret' });
    expect(loadConfig({ env: {} }).kafka.sasl.mechanism).toBe('none');
    expect(() => loadConfig({ env: { SYNFIN_KAFKA__SASL__MECHANISM: 'gssapi' } })).toThrow(/sasl\/mechanism/);
  });

  it('names the path of a bad value', () => {
    const error = configErrorOf(() =>
      loadConfig({ env: { SYNFIN_STACK__KAFKA__PORT: '70000' }, configDir: configDir({}) }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues.map((issue) => issue.path)).toContain('/stack/kafka/port');
    expect(error.message).toContain('/stack/kafka/port');
  });

  it('refuses a misspelt key in a file with its path', () => {
    const error = configErrorOf(() =>
      loadConfig({ env: {}, configDir: configDir({ 'default.yaml': 'kafka:\n  brokerz: [x]\n' }) }),
    );
    expect(error.issues).toContainEqual({ path: '/kafka/brokerz', message: 'unknown setting' });
  });

  it('refuses a variable that names no setting', () => {
    const error = configErrorOf(() => envOverrides({ SYNFIN_KAFKA__BROKER: 'x' }));
    expect(error.issues).toEqual([
      { path: 'SYNFIN_KAFKA__BROKER', message: 'environment variable names no setting' },
    ]);
  });

  it('refuses a variable that names a whole section', () => {
    expect(() => envOverrides({ SYNFIN_KAFKA: 'x' })).toThrow(ConfigError);
  });

  it('reports invalid YAML as an unreadable file, naming it', () => {
    const dir = configDir({ 'default.yaml': 'kafka: [unclosed' });
    expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(/default\.yaml is not valid YAML/);
  });

  it('requires the file named by SYNFIN_CONFIG to exist', () => {
    let caught: unknown;
    try {
      loadConfig({ env: { SYNFIN_CONFIG: '/nonexistent/synfin.yaml' }, configDir: configDir({}) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SynfinError);
    expect((caught as SynfinError).code).toBe('CONFIG_FILE_UNREADABLE');
  });

  it('returns a frozen object', () => {
    const config = loadConfig({ env: {}, configDir: configDir({}) });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.kafka.brokers)).toBe(true);
  });

  it('loads the repository config files for every environment', () => {
    for (const env of ['development', 'test', 'production', 'compose']) {
      expect(loadConfig({ env: { SYNFIN_ENV: env } }).env).toBe(env);
    }
  });
});

describe('validateConfig', () => {
  it('rejects a postgres url that is not one', () => {
    const error = configErrorOf(() => validateConfig({ postgres: { url: 'mysql://x' } }));
    expect(error.issues[0]?.path).toBe('/postgres/url');
  });

  it('rejects an unknown log level', () => {
    const error = configErrorOf(() => validateConfig({ log: { level: 'loud' } }));
    expect(error.issues.some((issue) => issue.path === '/log/level')).toBe(true);
  });
});
