/**
 * The REST layer through `fastify.inject`: validation, API keys, rate limits, the run state
 * machine, error bodies, health and OpenAPI. Stages are stand-ins (no processes, no services).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadKeys, newApiKey } from '../../../control-plane/http/auth.ts';
import type { ControlPlaneServer } from '../../../control-plane/http/server.ts';
import { loadConfig } from '../../../core/config/load.ts';
import type { ControlPlaneConfig } from '../../../core/config/schema.ts';
import { ERROR_CODES } from '../../../core/errors.ts';
import { type TestServerOptions, testServer } from '../../fixtures/control-plane-server.ts';

const apps: ControlPlaneServer[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function setup(overrides: Partial<ControlPlaneConfig> = {}, options: TestServerOptions = {}) {
  const server = await testServer({ ...options, config: overrides });
  apps.push(server.app);
  return server;
}

const REALTIME = { mode: 'realtime', ratePerSecond: 100, processors: false, sinks: [] };

async function until(check: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('validation', () => {
  it('refuses a body with a wrong, a missing or an unknown field with a 400 naming each', async () => {
    const { start, app, auth } = await setup();
    const wrong = await start({ fraud: { rate: 0.9 } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'VALIDATION_FAILED', statusCode: 400 });
    expect(wrong.json().details.issues).toContainEqual({
      path: 'body/fraud/rate',
      message: 'must be <= 0.5',
    });

    const missing = await app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details.issues).toContainEqual({ path: 'body/name', message: 'is required' });

    // A JSON body is not coerced: null is not false, "3" is not 3, and a NUL is not a name.
    for (const body of [{ processors: null }, { sinks: null }, { partitions: '3' }, { name: 'a\u0000b' }]) {
      const refused = await start(body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json().code).toBe('VALIDATION_FAILED');
    }

    const unknown = await start({ rpm: 5 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('body/rpm: is not a known field');
  });

  it('refuses what the generator itself refuses, with the field path', async () => {
    const { start } = await setup();
    const allZero = await start({
      fraud: {
        rate: 0.1,
        scenarios: Object.fromEntries(
          [
            'account_takeover',
            'amount_threshold',
            'card_testing',
            'compromised_card',
            'compromised_terminal',
            'impossible_travel',
          ].map((name) => [name, { weight: 0 }]),
        ),
      },
    });
    expect(allZero.statusCode).toBe(400);
    expect(allZero.json().code).toBe('VALIDATION_FAILED');
    expect(allZero.json().message).toContain('/fraud/scenarios');
  });

  it('validates query strings and parameters, and limits body size', async () => {
    const { app, auth } = await setup({ bodyLimitBytes: 2048 });
    const query = await app.inject({ method: 'GET', url: '/v1/runs?limit=0' });
    expect(query.statusCode).toBe(400);
    expect(query.json().details.issues[0].path).toBe('querystring/limit');
    const state = await app.inject({ method: 'GET', url: '/v1/runs?state=dancing' });
    expect(state.statusCode).toBe(400);
    const big = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: auth,
      payload: { name: 'x'.repeat(4000) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('BODY_TOO_LARGE');
    expect(big.json()).not.toHaveProperty('stack');
    const noRoute = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect([noRoute.statusCode, noRoute.json().code]).toEqual([404, 'NOT_FOUND']);
    const notJson = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: { ...auth, 'content-type': 'application/xml' },
      payload: '<run/>',
    });
    expect(notJson.statusCode).toBe(415);
    // Fastify's own code (FST_ERR_CTP_INVALID_MEDIA_TYPE) is not the catalogue's: the generic one.
    expect(notJson.json().code).toBe('BAD_REQUEST');
    for (const response of [query, state, big, noRoute, notJson])
      expect(ERROR_CODES).toContain(response.json().code);
  });
});

describe('API keys', () => {
  it('are required for mutating routes, by bearer token or X-API-Key, and not for reads', async () => {
    const { start, app, otherKey } = await setup();
    const none = await start({}, {});
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('UNAUTHORIZED');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await start({}, { authorization: 'Bearer sfk_wrong' })).statusCode).toBe(401);
    expect((await start(REALTIME, { 'x-api-key': otherKey })).statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: '/v1/runs' })).statusCode).toBe(200);
    for (const url of ['/v1/runs/x/pause', '/v1/runs/x/resume', '/v1/runs/x/stop'])
      expect((await app.inject({ method: 'PUT', url })).statusCode, url).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: '/v1/runs/x' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'PATCH', url: '/v1/runs/x', payload: { ratePerSecond: 5 } })).statusCode,
    ).toBe(401);
  });

  it('are configured hashed: a server without any refuses to start', async () => {
    expect(() => loadKeys({ ...loadConfig({ env: {} }).controlPlane, apiKeyHashes: [] })).toThrow(
      /no API key configured/,
    );
    const { key, entry } = newApiKey('x');
    expect(entry).not.toContain(key);
    expect(entry).toMatch(/^x:[0-9a-f]{64}$/);
  });
});

describe('quotas', () => {
  const quotas = { maxActiveRuns: 3, maxActiveRunsPerKey: 2, maxCustomerDays: 10_000, maxRatePerSecond: 500 };

  it('refuse a run too large with 422 naming the limit and its value, before anything starts', async () => {
    const { start, launcher } = await setup({}, { quotas });
    const big = await start({ mode: 'backfill', customers: 1_000, days: 11, processors: false, sinks: [] });
    expect(big.statusCode).toBe(422);
    expect(big.json()).toMatchObject({
      code: 'RUN_TOO_LARGE',
      details: { limit: 'maxCustomerDays', max: 10_000, requested: 11_000 },
    });
    expect(big.json().message).toContain('maxCustomerDays = 10000');
    const fast = await start({ ...REALTIME, ratePerSecond: 501 });
    expect(fast.statusCode).toBe(422);
    expect(fast.json().details).toEqual({ limit: 'maxRatePerSecond', max: 500, requested: 501 });
    // A realtime run counts one simulated day per customer.
    expect((await start({ ...REALTIME, customers: 10_000 })).statusCode).toBe(201);
    expect(launcher.launched.filter((stage) => stage.kind === 'producer')).toHaveLength(1);
  });

  it('refuse a re-rate over the rate quota with 422', async () => {
    const { start, app, auth } = await setup({}, { quotas });
    const run = (await start(REALTIME)).json();
    const patch = (ratePerSecond: number) =>
      app.inject({ method: 'PATCH', url: `/v1/runs/${run.id}`, headers: auth, payload: { ratePerSecond } });
    expect((await patch(600)).json()).toMatchObject({ statusCode: 422, code: 'RUN_TOO_LARGE' });
    expect((await patch(400)).statusCode).toBe(200);
  });

  it('refuse runs over the concurrency limits with 429, per key and in all, counting runs being created', async () => {
    const { start, app, auth, otherKey } = await setup({}, { quotas });
    // Sent together: the quota is taken before any record is written.
    const first = await Promise.all([start(REALTIME), start(REALTIME), start(REALTIME)]);
    expect(first.map((response) => response.statusCode).sort()).toEqual([201, 201, 429]);
    const refused = first.find((response) => response.statusCode === 429);
    expect(refused?.json()).toMatchObject({
      code: 'RUN_QUOTA_EXCEEDED',
      details: { limit: 'maxActiveRunsPerKey', max: 2, active: 2 },
    });
    expect(first.find((response) => response.statusCode === 201)?.json().owner).toBe('ci');
    const other = { 'x-api-key': otherKey };
    expect((await start(REALTIME, other)).statusCode).toBe(201);
    const full = await start(REALTIME, other);
    expect(full.statusCode).toBe(429);
    expect(full.json().details).toEqual({ limit: 'maxActiveRuns', max: 3, active: 3 });
    // A finished run frees its place.
    const id = first.find((response) => response.statusCode === 201)?.json().id;
    await app.inject({ method: 'PUT', url: `/v1/runs/${id}/stop`, headers: auth });
    await until(async () => (await app.inject({ url: `/v1/runs/${id}` })).json().state === 'stopped');
    expect((await start(REALTIME, other)).statusCode).toBe(201);
  });
});

describe('rate limits', () => {
  it('answer 429 with Retry-After once a key used its writes, and leave other keys alone', async () => {
    const { start, otherKey, auth, app } = await setup({ writeLimit: { max: 2, windowMs: 60_000 } });
    expect((await start(REALTIME)).statusCode).toBe(201);
    expect((await start(REALTIME)).statusCode).toBe(201);
    const limited = await start(REALTIME);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await start(REALTIME, { 'x-api-key': otherKey })).statusCode).toBe(201);
    // Reads are limited apart from writes.
    expect((await app.inject({ method: 'GET', url: '/v1/runs', headers: auth })).statusCode).toBe(200);
  });
});

describe('the run state machine over REST', () => {
  it('pauses, resumes, re-rates and stops a run, refusing illegal moves with 409 and the state', async () => {
    const { start, app, auth, launcher } = await setup();
    const created = await start(REALTIME);
    expect(created.statusCode).toBe(201);
    const run = created.json();
    expect(run).toMatchObject({
      state: 'running',
      name: 'test run',
      // The default partitions: the generator's (producers/run-parameters.ts).
      spec: { mode: 'realtime', partitions: 6 },
    });
    const producer = launcher.launched.find((stage) => stage.kind === 'producer');
    expect(producer?.settings).toMatchObject({
      runId: run.id,
      topics: { transactions: `${run.id}.transactions` },
    });

    const targets = (await app.inject({ url: '/v1/targets' })).json();
    expect(targets).toContainEqual({
      targets: ['127.0.0.1:9'],
      labels: { run_id: run.id, component: 'producer' },
    });
    const put = (action: string) =>
      app.inject({ method: 'PUT', url: `/v1/runs/${run.id}/${action}`, headers: auth });
    // Asking for the state a run is in answers 200 with it, and changes nothing.
    const running = await put('resume');
    expect(running.statusCode).toBe(200);
    expect(running.json().state).toBe('running');
    expect((await put('pause')).json().state).toBe('paused');
    const again = await put('pause');
    expect(again.statusCode).toBe(200);
    expect(again.json().state).toBe('paused');
    expect((await put('resume')).json().state).toBe('running');
    const rate = await app.inject({
      method: 'PATCH',
      url: `/v1/runs/${run.id}`,
      headers: auth,
      payload: { ratePerSecond: 250 },
    });
    expect(rate.statusCode).toBe(200);
    expect(rate.json().stats.ratePerSecond).toBe(250);
    expect(producer?.messages).toEqual([
      { type: 'pause' },
      { type: 'resume' },
      { type: 'rate', ratePerSecond: 250 },
    ]);

    const deleteLive = await app.inject({ method: 'DELETE', url: `/v1/runs/${run.id}`, headers: auth });
    expect(deleteLive.statusCode).toBe(409);
    expect((await put('stop')).json().state).toBe('stopping');
    const stopAgain = await put('stop');
    expect(stopAgain.statusCode).toBe(200);
    expect(['stopping', 'stopped']).toContain(stopAgain.json().state);
    await until(async () => (await app.inject({ url: `/v1/runs/${run.id}` })).json().state === 'stopped');
    const status = await app.inject({ url: `/v1/runs/${run.id}/status` });
    expect(status.json()).toMatchObject({ state: 'stopped', phase: 'done', produced: { transactions: 7 } });
    const stopStopped = await put('stop');
    expect(stopStopped.statusCode).toBe(200);
    expect(stopStopped.json().state).toBe('stopped');
    const resumeStopped = await put('resume');
    expect(resumeStopped.statusCode).toBe(409);
    expect(resumeStopped.json()).toMatchObject({ code: 'RUN_STATE_CONFLICT', details: { state: 'stopped' } });
    expect(
      (await app.inject({ method: 'PUT', url: '/v1/runs/run-none/stop', headers: auth })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: `/v1/runs/${run.id}`, headers: auth })).statusCode,
    ).toBe(204);
    expect((await app.inject({ url: `/v1/runs/${run.id}` })).statusCode).toBe(404);
  });

  it('refuses a rate for a backfill, and marks a run failed when a stage dies', async () => {
    const { start, app, auth, launcher } = await setup();
    const run = (await start({ mode: 'backfill', days: 1, processors: false, sinks: [] })).json();
    const rate = await app.inject({
      method: 'PATCH',
      url: `/v1/runs/${run.id}`,
      headers: auth,
      payload: { ratePerSecond: 9 },
    });
    expect(rate.statusCode).toBe(409);
    launcher.launched.find((stage) => stage.kind === 'producer')?.exit(2);
    await until(async () => (await app.inject({ url: `/v1/runs/${run.id}` })).json().state === 'failed');
    const failed = (await app.inject({ url: `/v1/runs/${run.id}` })).json();
    expect(failed.error).toContain('producer stage exited with code 2');
  });

  it('lists runs newest first, by page and by state', async () => {
    const { start, app } = await setup();
    for (let i = 0; i < 3; i++) await start({ ...REALTIME, name: `run ${i}` });
    const page = (await app.inject({ url: '/v1/runs?limit=2&offset=1' })).json();
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(page.items).toHaveLength(2);
    expect((await app.inject({ url: '/v1/runs?state=stopped' })).json().total).toBe(0);
    expect((await app.inject({ url: '/v1/runs?state=running' })).json().total).toBe(3);
  });
});

describe('drift manifests', () => {
  it('are returned for each run, its change points in order, and empty without a schedule', async () => {
    const { start, app } = await setup();
    const drifting = await start({
      ...REALTIME,
      mode: 'backfill',
      days: 20,
      startDate: '2026-03-01',
      drift: {
        scenarios: [
          { scenario: 'card_testing', day: 12, rampDays: 3, rate: 4 },
          { scenario: 'amount_threshold', day: 5, params: { thresholdMinor: 30_000 } },
        ],
        seasonality: { holidays: [{ date: '2026-03-17', factor: 1.4 }] },
      },
    });
    expect(drifting.statusCode).toBe(201);
    const { id, links } = drifting.json();
    expect(links.drift).toBe(`/v1/runs/${id}/drift`);
    const manifest = (await app.inject({ url: links.drift })).json();
    expect(manifest).toEqual({
      runId: id,
      changes: [
        expect.objectContaining({
          seq: 0,
          kind: 'SCENARIO_PARAMS',
          subject: 'amount_threshold',
          startDay: 5,
          startTime: '2026-03-06T00:00:00.000Z',
          params: { thresholdMinor: 30_000 },
        }),
        expect.objectContaining({
          seq: 1,
          kind: 'SCENARIO_RATE',
          subject: 'card_testing',
          startDay: 12,
          endDay: 15,
          endTime: '2026-03-16T00:00:00.000Z',
          fromValue: 1,
          toValue: 4,
        }),
        expect.objectContaining({
          seq: 2,
          kind: 'HOLIDAY',
          subject: '2026-03-17',
          startDay: 16,
          toValue: 1.4,
        }),
      ],
    });

    const plain = (await start({ ...REALTIME, name: 'no drift' })).json();
    expect((await app.inject({ url: `/v1/runs/${plain.id}/drift` })).json()).toEqual({
      runId: plain.id,
      changes: [],
    });
    const missing = await app.inject({ url: '/v1/runs/no-such-run/drift' });
    expect(missing.statusCode).toBe(404);
  });

  it('refuse a schedule the generator refuses, naming the field', async () => {
    const { start } = await setup();
    const refused = await start({
      ...REALTIME,
      drift: { scenarios: [{ scenario: 'card_testing', day: 2, params: { maxGapSeconds: 0 } }] },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('/drift/scenarios/0/params/maxGapSeconds');
  });
});

describe('errors, health and documents', () => {
  it('answers with a request id and no stack, echoing a given X-Request-Id', async () => {
    const { app } = await setup();
    const response = await app.inject({ url: '/v1/runs/nope', headers: { 'x-request-id': 'trace-123' } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-request-id']).toBe('trace-123');
    expect(response.json()).toEqual({
      statusCode: 404,
      code: 'RUN_NOT_FOUND',
      message: 'no run nope',
      requestId: 'trace-123',
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('reports health, readiness with what failed, metrics, OpenAPI and catalogs', async () => {
    const { app, setReadiness } = await setup();
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
    setReadiness({ ready: false, failed: [{ name: 'kafka', error: 'ECONNREFUSED' }] });
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().failed[0].name).toBe('kafka');
    expect((await app.inject({ url: '/metrics' })).body).toContain('synfin_control_plane_requests_total');
    const openapi = (await app.inject({ url: '/openapi.json' })).json();
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/runs', '/v1/runs/{id}', '/v1/runs/{id}/status', '/v1/runs/{id}/events']),
    );
    expect((await app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
    const scenarios = (await app.inject({ url: '/v1/scenarios' })).json().items;
    expect(scenarios.map((s: { name: string }) => s.name)).toContain('card_testing');
    const schemas = (await app.inject({ url: '/v1/schemas' })).json().items;
    expect(schemas.map((s: { name: string }) => s.name)).toContain('Transaction');
  });
});
