/**
 * Each sink killed with SIGKILL mid-stream and started again, on the real stack: the final counts
 * equal what was produced and no id is stored twice — physically, not only through FINAL.
 */

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { type RunSummary, runGenerator } from '../../../producers/run.ts';
import { runTopics } from '../../../sinks/config.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { uniqueName } from '../../harness/config.ts';
import { killWhen } from '../../harness/kill.ts';
import { stageProcess, testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores } from '../../harness/sink-stores.ts';

const { endpoints, config: base, logger, kafka, codec } = testServices();
const name = uniqueName('sinkcrash');
// Many customers over two days: enough entity rows for Postgres to be killed mid-stream too.
const generator = parseGeneratorConfig({
  runId: name,
  seed: 31,
  customers: 12_000,
  merchants: 1_500,
  days: 2,
  fraud: { rate: 0.02, groundTruth: promptLabels(6) },
  topics: prefixedTopics(name, 3),
});
const settingsFile = path.join(mkdtempSync(path.join(tmpdir(), 'synfin-sink-crash-')), 'sink.yaml');
let stores: SinkStores;
let summary: RunSummary;
let child: ChildProcess | undefined;

function startSink(sink: 'clickhouse' | 'postgres', batchRows: number): ChildProcess {
  return stageProcess(
    endpoints,
    'sinks/cli.ts',
    ['--config', settingsFile, '--sink', sink, '--batch-rows', String(batchRows)],
    {
      SYNFIN_CLICKHOUSE__URL: stores.config.clickhouse.url,
      SYNFIN_CLICKHOUSE__DATABASE: stores.config.clickhouse.database,
      SYNFIN_POSTGRES__URL: stores.config.postgres.url,
    },
  );
}

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  writeFileSync(
    settingsFile,
    stringify({
      groupPrefix: name,
      topics: runTopics(name),
      clickhouse: { kinds: ['customers', 'merchants', 'transactions', 'labels'] },
    }),
  );
  summary = await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal });
}, 180_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await stores?.drop();
  await kafka.deleteTopics(Object.values(generator.topics).filter((t): t is string => typeof t === 'string'));
  await kafka.close();
});

describe('sink crash', () => {
  it('clickhouse: kill -9 mid-stream, restart: exact counts, no duplicates', async () => {
    const total = summary.produced.transaction;
    const landed = () => stores.chNumber('SELECT count() FROM transactions');
    child = startSink('clickhouse', 2_000);
    await killWhen(child, landed, total * 0.3, total);
    child = startSink('clickhouse', 2_000);
    await eventually(
      async () => (await landed()) >= total,
      180_000,
      async () => `${await landed()} of ${total}`,
    );
    await sleep(3000); // a duplicate would have time to land
    expect(await landed()).toBe(total);
    expect(await stores.chNumber('SELECT uniqExact(transaction_id) FROM transactions')).toBe(total);
    expect(await stores.chNumber('SELECT count() FROM customers')).toBe(summary.produced.customer);
    expect(await stores.chNumber('SELECT count() FROM fraud_labels')).toBe(summary.produced.label);
    expect(await stores.chNumber('SELECT countMerge(transactions) FROM transactions_hourly')).toBe(total);
    child.kill('SIGTERM');
  }, 400_000);

  it('postgres: kill -9 mid-stream, restart: exact counts, no duplicates', async () => {
    const total = summary.produced.customer;
    const landed = () => stores.pgNumber('SELECT count(*) FROM customers');
    child = startSink('postgres', 200);
    await killWhen(child, landed, total * 0.3, total);
    child = startSink('postgres', 200);
    await eventually(
      async () =>
        (await landed()) >= total &&
        (await stores.pgNumber('SELECT count(*) FROM fraud_labels')) >= summary.produced.label,
      180_000,
      async () => `${await landed()} of ${total}`,
    );
    await sleep(3000);
    expect(await landed()).toBe(total);
    expect(await stores.pgNumber('SELECT count(*) FROM merchants')).toBe(summary.produced.merchant);
    expect(await stores.pgNumber('SELECT count(*) FROM fraud_labels')).toBe(summary.produced.label);
    // Offsets and rows committed together: the recorded positions are the ends of the topics.
    const ends = await kafka.topicOffsets(generator.topics.customers);
    const end = [...ends.values()].reduce((sum, o) => sum + o.high, 0);
    expect(
      await stores.pgNumber(
        `SELECT sum(next_offset) FROM sink_offsets WHERE topic = '${generator.topics.customers}'`,
      ),
    ).toBe(end);
    child.kill('SIGTERM');
  }, 400_000);
});
