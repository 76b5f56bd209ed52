/**
 * The Postgres run store: stats written by different writers at the same moment (the producer's
 * summary, a new rate) are merged, so neither loses the other's facts — producerDone above all,
 * which decides whether a restarted control plane resumes a run.
 */

import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateControlPlane } from '../../../control-plane/runs/migrations.ts';
import { RunSpecSchema } from '../../../control-plane/runs/spec.ts';
import { postgresRunStore, type RunStore } from '../../../control-plane/runs/store.ts';
import { createLogger } from '../../../core/logger.ts';
import { parseGeneratorConfig, startMsOf } from '../../../producers/config.ts';
import { driftManifest } from '../../../producers/drift/manifest.ts';
import { uniqueName } from '../../harness/config.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, type SinkStores } from '../../harness/sink-stores.ts';

const { config: base } = testServices();
let stores: SinkStores;
let store: RunStore;

beforeAll(async () => {
  stores = await createSinkStores(base, uniqueName('cpstore'));
  await migrateControlPlane(stores.postgres, createLogger({ level: 'silent', pretty: false }));
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

  it('keeps a run’s drift manifest in drift_changes, replaced when saved again, removed with the run', async () => {
    const spec = Value.Default(RunSpecSchema, { name: 'd' }) as Parameters<RunStore['insert']>[0]['spec'];
    const generator = parseGeneratorConfig({
      runId: 'run-drift',
      // The last day of January is day 30; February's (day 58) is past the run.
      days: 40,
      drift: {
        scenarios: [
          { scenario: 'card_testing', day: 3, rampDays: 2, rate: 2.5 },
          { scenario: 'compromised_card', day: 9, params: { fraudShare: 0.5, durationDays: 7 } },
        ],
        categories: [{ category: 'AIRLINE', day: 20, share: 0 }],
        seasonality: { paydays: [-1] },
      },
    });
    const manifest = driftManifest(generator, startMsOf(generator));
    expect(manifest.map((change) => change.kind)).toEqual([
      'SCENARIO_RATE',
      'SCENARIO_PARAMS',
      'CATEGORY_MIX',
      'PAYDAY',
    ]);
    await store.insert({
      id: 'run-drift',
      name: 'd',
      owner: null,
      state: 'created',
      spec,
      createdAt: new Date().toISOString(),
      startedAt: null,
      endedAt: null,
      error: null,
      stats: {},
    });
    await store.saveDrift('run-drift', manifest.slice(0, 1));
    await store.saveDrift('run-drift', manifest);
    const read = await store.drift('run-drift');
    // jsonb keeps the parameters, not their text: compared parsed.
    const parsed = (changes: typeof manifest) =>
      changes.map((change) => ({ ...change, params: change.params && JSON.parse(change.params) }));
    expect(parsed(read)).toEqual(parsed(manifest));
    const { rows } = await stores.postgres.query(
      "SELECT params->>'fraudShare' AS share FROM drift_changes WHERE run_id = 'run-drift' AND kind = 'SCENARIO_PARAMS'",
    );
    expect(rows).toEqual([{ share: '0.5' }]);
    expect(await store.remove('run-drift')).toBe(true);
    expect(await store.drift('run-drift')).toEqual([]);
  });
});
