/**
 * The files sink killed with SIGKILL mid-stream and started again, on the real stack: the
 * Parquet files, read back with a Parquet reader, hold every record of every topic exactly once,
 * and the recorded positions are the ends of the topics.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseGeneratorConfig, prefixedTopics } from '../../../../producers/config.ts';
import { type RunSummary, runGenerator } from '../../../../producers/run.ts';
import { runTopics } from '../../../../sinks/config.ts';
import { filesLanded } from '../../../../sinks/files/landed.ts';
import { readPositions } from '../../../../sinks/files/positions.ts';
import { promptLabels } from '../../../fixtures/generated.ts';
import { uniqueName } from '../../../harness/config.ts';
import { killWhen } from '../../../harness/kill.ts';
import { stageProcess, testServices } from '../../../harness/services.ts';
import { eventually } from '../../../harness/sink-stores.ts';

const { endpoints, logger, kafka, codec } = testServices();
const name = uniqueName('filescrash');
const generator = parseGeneratorConfig({
  runId: name,
  seed: 37,
  customers: 4_000,
  merchants: 500,
  days: 2,
  fraud: { rate: 0.02, groundTruth: promptLabels(6) },
  topics: prefixedTopics(name, 3),
});
const work = mkdtempSync(path.join(tmpdir(), 'synfin-files-crash-'));
const lake = { dir: path.join(work, 'lake'), format: 'parquet' as const };
const settingsFile = path.join(work, 'sink.yaml');
const topics = runTopics(name);
let summary: RunSummary;
let child: ChildProcess | undefined;

const startSink = () =>
  stageProcess(
    endpoints,
    'sinks/cli.ts',
    ['--config', settingsFile, '--sink', 'files', '--batch-rows', '2000'],
    {
      SYNFIN_FILES__DIR: lake.dir,
      SYNFIN_FILES__FORMAT: lake.format,
    },
  );

const landed = async () => (await filesLanded(lake, topics, ['transactions'])).transactions ?? 0;

/** Every row of a topic's Parquet files, read with a Parquet reader. */
async function rowsOf(topic: string): Promise<Record<string, unknown>[]> {
  const folder = path.join(lake.dir, topic);
  const files = (readdirSync(folder, { recursive: true }) as string[]).filter((f) => f.endsWith('.parquet'));
  const rows: Record<string, unknown>[] = [];
  for (const file of files)
    rows.push(...(await parquetReadObjects({ file: await asyncBufferFromFile(path.join(folder, file)) })));
  return rows;
}

beforeAll(async () => {
  writeFileSync(
    settingsFile,
    stringify({
      groupPrefix: name,
      topics,
      files: { kinds: ['customers', 'merchants', 'transactions', 'labels'] },
    }),
  );
  summary = await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal });
}, 180_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await kafka.deleteTopics(Object.values(generator.topics).filter((t): t is string => typeof t === 'string'));
  await kafka.close();
});

describe('files sink crash', () => {
  it('kill -9 mid-stream, restart: every record in the Parquet files once, positions at the ends', async () => {
    const total = summary.produced.transaction;
    child = startSink();
    await killWhen(child, landed, total * 0.3, total);
    child = startSink();
    await eventually(
      async () => (await landed()) >= total,
      180_000,
      async () => `${await landed()} of ${total}`,
    );
    await sleep(3000); // a duplicate would have time to land
    child.kill('SIGTERM');

    const transactions = await rowsOf(topics.transactions);
    expect(transactions).toHaveLength(total);
    expect(new Set(transactions.map((row) => row.transaction_id)).size).toBe(total);
    expect(new Set(transactions.map((row) => `${row.kafka_partition}/${row.kafka_offset}`)).size).toBe(total);
    expect(await rowsOf(topics.customers)).toHaveLength(summary.produced.customer);
    expect(await rowsOf(topics.merchants)).toHaveLength(summary.produced.merchant);
    expect(await rowsOf(topics.labels)).toHaveLength(summary.produced.label);
    for (const kind of ['customers', 'transactions', 'labels'] as const) {
      const ends = await kafka.topicOffsets(topics[kind]);
      const positions = await readPositions(lake.dir, topics[kind]);
      for (const [partition, { high }] of ends)
        expect(positions.get(partition)?.nextOffset ?? 0, kind).toBe(high);
    }
  }, 400_000);
});
