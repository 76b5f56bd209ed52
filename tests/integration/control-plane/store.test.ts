/**
 * The Postgres run store: stats written by different writers at the same moment (the producer's
 * summary, a new rate) are merged, so neither loses the other's facts — producerDone above all,
 * which decides whether a restarted control plane resumes a run.
 */

import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunSpecSchema } from '../../../control-plane/runs/spec.ts';
import { postgresRunStore, type RunStore } from '../../../control-plane/runs/store.ts';
import { migrateRunsTable } from '../../../control-plane/serve.ts';
import { createLogger } from '../../../core/logger.ts';
import { uniqueName } from '../../harness/config.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, type SinkStores } from '../../harness/sink-stores.ts';

const { config: base } = testServices();
let stores: SinkStores;
let store: RunStore;

beforeAll(async () => {
  stores = await createSinkStores(base, uniqueName('cpstore'));
  await migrateRunsTable(stores.config, createLogger({ level: 'silent', pretty: false }));
  store = postgresRunStore(stores.postgres);
}, 60_000);

afterAll(async () => {
  await stores?.drop();
});

describe('the run store', () => {
  it('merges stats written at the same moment instead of keeping the last writer only', async () => {
    const spec = Value.Default(RunSpecSchema, { name: 'r' }) as Parameters<RunStore['insert']>[0]['spec'];
    await store.insert({
      id: 'run-merge',
      name: 'r',
      owner: 'ci',
      state: 'running',
      spec,
      createdAt: new Date().toISOString(),
      startedAt: null,
      endedAt: null,
      error: null,
      stats: { ratePerSecond: 100 },
    });
    await Promise.all([
      store.update('run-merge', { stats: { producerDone: true, produced: { transactions: 5 } } }),
      store.update('run-merge', { stats: { ratePerSecond: 250 } }),
    ]);
    expect((await store.get('run-merge'))?.stats).toEqual({
      producerDone: true,
      produced: { transactions: 5 },
      ratePerSecond: 250,
    });
    expect((await store.get('run-merge'))?.owner).toBe('ci');
  });
});
