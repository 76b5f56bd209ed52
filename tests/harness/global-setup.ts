/**
 * The one global setup of the integration suites. Endpoints come from (a) SYNFIN_* variables, else
 * (b) Testcontainers when a Docker engine answers, else (c) the native stack. SYNFIN_TEST_SERVICES
 * (environment | testcontainers | native) forces a path.
 */
import type { TestProject } from 'vitest/node';
import { dockerAnswers, startContainers } from './containers.ts';
import { type Endpoints, endpointsFromEnvironment } from './endpoints.ts';
import { startNative } from './native.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Endpoints;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const forced = process.env.SYNFIN_TEST_SERVICES;
  if (forced && !['environment', 'testcontainers', 'native'].includes(forced)) {
    throw new Error(`SYNFIN_TEST_SERVICES=${forced}: expected environment, testcontainers or native`);
  }
  const fromEnvironment = endpointsFromEnvironment(process.env);
  if (forced === 'environment' && !fromEnvironment)
    throw new Error('SYNFIN_TEST_SERVICES=environment but no endpoints set');

  let started: { endpoints: Endpoints; stop: () => Promise<void> };
  if (fromEnvironment && (!forced || forced === 'environment')) {
    started = { endpoints: fromEnvironment, stop: async () => undefined };
  } else if (forced === 'testcontainers' || (!forced && (await dockerAnswers()))) {
    started = await startContainers();
  } else {
    started = await startNative();
  }
  const { endpoints } = started;
  console.log(
    `[harness] services from ${endpoints.source}: kafka ${endpoints.kafkaBrokers.join(',')}, registry ${endpoints.schemaRegistryUrl}, clickhouse ${endpoints.clickhouseUrl}`,
  );
  project.provide('endpoints', endpoints);
  return started.stop;
}
