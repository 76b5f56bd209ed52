/** What most integration tests start with: the config, a logger and clients for the harness's services. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import type { Config } from '../../core/config/schema.ts';
import { createKafkaClient, type KafkaClient } from '../../core/kafka/client.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { projectRoot } from '../../core/paths.ts';
import { createRegistryCodec, type RegistryCodec } from '../../core/registry/codec.ts';
import { testConfig } from './config.ts';
import type { Endpoints } from './endpoints.ts';

export interface TestServices {
  endpoints: Endpoints;
  config: Readonly<Config>;
  logger: Logger;
  kafka: KafkaClient;
  codec: RegistryCodec;
}

export function testServices(): TestServices {
  const endpoints = inject('endpoints');
  const config = testConfig(endpoints);
  const logger = createLogger(config.log);
  return {
    endpoints,
    config,
    logger,
    kafka: createKafkaClient(config.kafka, logger),
    codec: createRegistryCodec(config.schemaRegistry),
  };
}

/**
 * A stage's CLI (`processors/cli.ts`, `sinks/cli.ts`) as a child process pointed at the harness's
 * services — for tests that kill it. `env` adds or overrides SYNFIN_* variables; `stdout: 'pipe'`
 * keeps its log lines for the test to read.
 */
export function stageProcess(
  endpoints: Endpoints,
  cli: string,
  args: readonly string[],
  env: Record<string, string> = {},
  options: { stdout?: 'ignore' | 'pipe' } = {},
): ChildProcess {
  return spawn(process.execPath, [path.join(projectRoot(), cli), ...args], {
    env: {
      ...process.env,
      SYNFIN_ENV: 'test',
      SYNFIN_LOG__LEVEL: 'warn',
      SYNFIN_KAFKA__BROKERS: endpoints.kafkaBrokers.join(','),
      SYNFIN_SCHEMA_REGISTRY__URL: endpoints.schemaRegistryUrl,
      ...env,
    },
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit'],
  });
}
