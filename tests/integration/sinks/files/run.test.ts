/**
 * A run started over REST that lands in the files sink: the control plane hands the sink its
 * lake, and tells the run is complete from what the files hold — a feature row per purchase.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlaneClient, controlPlaneClient } from '../../../../control-plane/cli/client.ts';
import { newApiKey } from '../../../../control-plane/http/auth.ts';
import { type ControlPlane, startControlPlane } from '../../../../control-plane/serve.ts';
import type { Config } from '../../../../core/config/schema.ts';
import { freePort } from '../../../../core/ports.ts';
import { runTopicNames } from '../../../../core/run-topology.ts';
import { uniqueName } from '../../../harness/config.ts';
import { testServices } from '../../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores } from '../../../harness/sink-stores.ts';

const { config: base, logger, kafka } = testServices();
const name = uniqueName('filesrun');
const work = mkdtempSync(path.join(tmpdir(), 'synfin-files-run-'));
const lake = path.join(work, 'lake');
let stores: SinkStores;
let controlPlane: ControlPlane;
let client: ControlPlaneClient;
let runId = '';

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  const { key, entry } = newApiKey('it');
  const config: Config = {
    ...stores.config,
    files: { dir: lake, format: 'parquet' },
    controlPlane: { ...stores.config.controlPlane, apiKeyHashes: [entry], workDir: path.join(work, 'runs') },
  };
  controlPlane = await startControlPlane(config, logger, { port: await freePort() });
  client = controlPlaneClient({ url: controlPlane.url, apiKey: key });
}, 60_000);

afterAll(async () => {
  await controlPlane?.close();
  await stores?.drop();
  if (runId) await kafka.deleteTopics(Object.values(runTopicNames(runId))).catch(() => undefined);
  await kafka.close();
});

describe('a run landing in files', () => {
  it('completes once the files hold a feature row per purchase', async () => {
    const run = await client.start({
      name,
      mode: 'backfill',
      customers: 200,
      merchants: 40,
      days: 1,
      partitions: 2,
      sinks: ['files'],
    });
    runId = run.id;
    await eventually(
      async () => ['completed', 'failed'].includes((await client.get(run.id)).state),
      240_000,
      async () => JSON.stringify(await client.status(run.id)),
    );
    const done = await client.get(run.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('completed');
    const status = await client.status(run.id);
    const purchases = status.produced.transactions ?? 0;
    expect(purchases).toBeGreaterThan(0);

    const rowsOf = async (topic: string) => {
      const folder = path.join(lake, topic);
      const files = (readdirSync(folder, { recursive: true }) as string[]).filter((f) =>
        f.endsWith('.parquet'),
      );
      let rows = 0;
      for (const file of files)
        rows += (await parquetReadObjects({ file: await asyncBufferFromFile(path.join(folder, file)) }))
          .length;
      return rows;
    };
    const topics = runTopicNames(run.id);
    expect(await rowsOf(topics.features)).toBe(purchases);
    expect(await rowsOf(topics.transactions)).toBe(purchases);
    expect(await rowsOf(topics.customers)).toBe(status.produced.customers);
  }, 300_000);
});
