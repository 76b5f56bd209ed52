/**
 * The REST API fuzzed from its own OpenAPI document (tests/fixtures/openapi-fuzz.ts): no request
 * answers 5xx, and no request that breaks the document is accepted. The Postgres-backed twin of this
 * suite is tests/integration/control-plane/fuzz.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testServer } from '../../../fixtures/control-plane-server.ts';
import { memoryRunStore } from '../../../fixtures/memory-run-store.ts';
import { fuzzOperations, operationsOf } from '../../../fixtures/openapi-fuzz.ts';

const QUOTAS = { maxActiveRuns: 3, maxActiveRunsPerKey: 3, maxCustomerDays: 1_000, maxRatePerSecond: 1_000 };
const store = memoryRunStore();
const server = await testServer({
  store,
  quotas: QUOTAS,
  config: { writeLimit: { max: 1_000_000, windowMs: 60_000 } },
});
afterAll(() => server.app.close());

describe('the REST API under fuzzing', () => {
  it('answers every generated request without a 5xx and accepts nothing invalid', async () => {
    const existing = await server.start({
      mode: 'realtime',
      ratePerSecond: 10,
      customers: 10,
      processors: false,
      sinks: [],
    });
    expect(existing.statusCode).toBe(201);
    const document = (await server.app.inject({ url: '/openapi.json' })).json();
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThanOrEqual(10);
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
    // Only the two valid run bodies made runs.
    expect(store.rows.size).toBe(2);
  });
});
