import { randomBytes } from 'node:crypto';
import { validateConfig } from '../../core/config/load.ts';
import type { Config } from '../../core/config/schema.ts';
import type { Endpoints } from './endpoints.ts';

/** The application configuration pointing at the harness's services. */
export function testConfig(endpoints: Endpoints, overrides: Record<string, unknown> = {}): Readonly<Config> {
  return validateConfig(
    {
      env: 'test',
      log: { level: 'warn', pretty: false },
      kafka: { brokers: endpoints.kafkaBrokers, clientId: 'synfin-test' },
      schemaRegistry: { url: endpoints.schemaRegistryUrl, compatibility: 'BACKWARD' },
      clickhouse: {
        url: endpoints.clickhouseUrl,
        username: endpoints.clickhouseUser,
        password: endpoints.clickhousePassword,
      },
      postgres: { url: endpoints.postgresUrl },
      ...overrides,
    },
    'test harness',
  );
}

/** A name no other test (or earlier run) uses: topics, groups, databases, tables. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}
