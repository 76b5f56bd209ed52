/** Path (c) of the harness: the native stack, as `npm run stack -- up` starts it. */
import { loadConfig } from '../../core/config/load.ts';
import { nativeStack } from '../../deploy/local/index.ts';
import type { Endpoints } from './endpoints.ts';

export async function startNative(): Promise<{ endpoints: Endpoints; stop: () => Promise<void> }> {
  // The stack's own settings (ports, data dir) come from config like everywhere else.
  const config = loadConfig({ env: { ...process.env, SYNFIN_ENV: process.env.SYNFIN_ENV ?? 'test' } });
  const stack = nativeStack(config.stack, { say: (message) => console.error(`[harness] ${message}`) });
  const statuses = await stack.up();
  const versions = Object.fromEntries(statuses.map((status) => [status.name, status.version ?? 'unknown']));
  const host = config.stack.host;
  const startedHere = statuses.filter((status) => status.started).map((status) => status.name);
  return {
    endpoints: {
      source: 'native',
      kafkaBrokers: [`${host}:${config.stack.kafka.port}`],
      schemaRegistryUrl: `http://${host}:${config.stack.schemaRegistry.port}/apis/ccompat/v7`,
      clickhouseUrl: `http://${host}:${config.stack.clickhouse.httpPort}`,
      clickhouseUser: 'default',
      clickhousePassword: '',
      postgresUrl: `postgres://${config.stack.postgres.user}:${config.stack.postgres.password}@${host}:${config.stack.postgres.port}/${config.stack.postgres.database}`,
      versions,
    },
    // Leave running what was running before the tests (a developer's stack); stop what we started.
    async stop() {
      if (startedHere.length === 0) return;
      await nativeStack(config.stack, { only: startedHere }).down();
    },
  };
}
