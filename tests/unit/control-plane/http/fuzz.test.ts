/**
 * The REST API fuzzed from its own OpenAPI document (tests/fixtures/openapi-fuzz.ts): no request
 * answers 5xx, and no request that breaks the document is accepted. The Postgres-backed twin of this
 * suite is tests/integration/control-plane/fuzz.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testServer } from '../../../fixtures/control-plane-server.ts';
import { memoryRunStore } from '../../../fixtures/memory-run-store.ts';
import { FUZZ_QUOTAS, FUZZ_WRITE_LIMIT, fuzzControlPlane } from '../../../fixtures/openapi-fuzz.ts';

const store = memoryRunStore();
const server = await testServer({ store, quotas: FUZZ_QUOTAS, config: FUZZ_WRITE_LIMIT });
afterAll(() => server.app.close());

describe('the REST API under fuzzing', () => {
  it('answers every generated request without a 5xx and accepts nothing invalid', async () => {
    const { findings, requests, operations, existing } = await fuzzControlPlane(server);
    expect(existing).toBe(201);
    expect(operations).toBeGreaterThanOrEqual(10);
    expect(requests).toBeGreaterThan(500);
    expect(findings).toEqual([]);
    // The run aimed at and the one the valid POST body made: no invalid request made one.
    expect(store.rows.size).toBe(2);
  });
});
