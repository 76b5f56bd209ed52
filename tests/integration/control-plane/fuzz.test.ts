/**
 * The REST API fuzzed from its own OpenAPI document over the real Postgres run store (what a
 * deployment runs): a value Postgres refuses (a NUL in a name, an offset past bigint) must be refused
 * by the API first, never reach the database as a 500. Stages are stand-ins: the suite is about the
 * API, and the quota keeps every valid run small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateControlPlane } from '../../../control-plane/runs/migrations.ts';
import { postgresRunStore } from '../../../control-plane/runs/store.ts';
import { createLogger } from '../../../core/logger.ts';
import { testServer } from '../../fixtures/control-plane-server.ts';
import { FUZZ_QUOTAS, FUZZ_WRITE_LIMIT, fuzzControlPlane } from '../../fixtures/openapi-fuzz.ts';
import { uniqueName } from '../../harness/config.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, type SinkStores } from '../../harness/sink-stores.ts';

const { config: base } = testServices();
let stores: SinkStores;
let server: Awaited<ReturnType<typeof testServer>>;

beforeAll(async () => {
  stores = await createSinkStores(base, uniqueName('cpfuzz'));
  await migrateControlPlane(stores.postgres, createLogger({ level: 'silent', pretty: false }));
  server = await testServer({
    store: postgresRunStore(stores.postgres),
    quotas: FUZZ_QUOTAS,
    config: FUZZ_WRITE_LIMIT,
  });
}, 60_000);

afterAll(async () => {
  await server?.app.close();
  await stores?.drop();
});

describe('the REST API under fuzzing, on Postgres', () => {
  it('answers every generated request without a 5xx and accepts nothing invalid', async () => {
    const { findings, requests, existing } = await fuzzControlPlane(server);
    expect(existing).toBe(201);
    expect(requests).toBeGreaterThan(500);
    expect(findings).toEqual([]);
    expect(await stores.pgNumber('SELECT count(*) FROM runs')).toBe(2);
    expect(await stores.pgNumber(`SELECT count(*) FROM runs WHERE owner = 'ci'`)).toBe(2);
  }, 120_000);
});
