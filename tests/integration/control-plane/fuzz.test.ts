/**
 * The REST API fuzzed from its own OpenAPI document over the real Postgres run store (what a
 * deployment runs): a value Postgres refuses (a NUL in a name, an offset past bigint) must be refused
 * by the API first, never reach the database as a 500. Stages are stand-ins: the suite is about the
 * API, and the quota keeps every valid run small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresRunStore } from '../../../control-plane/runs/store.ts';
import { migrateRunsTable } from '../../../control-plane/serve.ts';
import { createLogger } from '../../../core/logger.ts';
import { testServer } from '../../fixtures/control-plane-server.ts';
import { fuzzOperations, operationsOf } from '../../fixtures/openapi-fuzz.ts';
import { uniqueName } from '../../harness/config.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, type SinkStores } from '../../harness/sink-stores.ts';

const { config: base } = testServices();
let stores: SinkStores;
let server: Awaited<ReturnType<typeof testServer>>;

beforeAll(async () => {
  stores = await createSinkStores(base, uniqueName('cpfuzz'));
  await migrateRunsTable(stores.config, createLogger({ level: 'silent', pretty: false }));
  server = await testServer({
    store: postgresRunStore(stores.postgres),
    quotas: { maxActiveRuns: 3, maxActiveRunsPerKey: 3, maxCustomerDays: 1_000, maxRatePerSecond: 1_000 },
    config: { writeLimit: { max: 1_000_000, windowMs: 60_000 } },
  });
}, 60_000);

afterAll(async () => {
  await server?.app.close();
  await stores?.drop();
});

describe('the REST API under fuzzing, on Postgres', () => {
  it('answers every generated request without a 5xx and accepts nothing invalid', async () => {
    const existing = await server.start({
      mode: 'realtime',
      ratePerSecond: 10,
      customers: 10,
      processors: false,
      sinks: [],
    });
    expect(existing.statusCode).toBe(201);
    const operations = operationsOf((await server.app.inject({ url: '/openapi.json' })).json());
    const { findings, requests } = await fuzzOperations(server.app, operations, {
      headers: server.auth,
      existingId: existing.json().id,
      validBodies: {
        'POST /v1/runs': {
          name: 'fuzz',
          mode: 'backfill',
          days: 1,
          customers: 10,
          processors: false,
          sinks: [],
        },
        'PATCH /v1/runs/{id}': { ratePerSecond: 5 },
      },
      randomRuns: 60,
      seed: 20261201,
    });
    expect(requests).toBeGreaterThan(500);
    expect(findings).toEqual([]);
    expect(await stores.pgNumber('SELECT count(*) FROM runs')).toBe(2);
    expect(await stores.pgNumber(`SELECT count(*) FROM runs WHERE owner = 'ci'`)).toBe(2);
  }, 120_000);
});
