/**
 * Exactly once across a crash, on the real stack: the processor runs as a child process and is
 * killed with SIGKILL mid-stream, then started again. Its output must hold every purchase once,
 * with features equal to those of an uninterrupted run over the same input.
 */

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { createKafkaClient } from '../../../core/kafka/client.ts';
import { createLogger } from '../../../core/logger.ts';
import { createRegistryCodec } from '../../../core/registry/codec.ts';
import { parseProcessorConfig, topicsFor } from '../../../processors/config.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { runGenerator } from '../../../producers/run.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { testConfig, uniqueName } from '../../harness/config.ts';
import { recordsWritten } from '../../harness/kafka-read.ts';
import { featureRows, inProcessRun } from '../../harness/processor-runs.ts';
import { stageProcess } from '../../harness/services.ts';

const endpoints = inject('endpoints');
const config = testConfig(endpoints);
const logger = createLogger(config.log);
const kafka = createKafkaClient(config.kafka, logger);
const codec = createRegistryCodec(config.schemaRegistry);
const name = uniqueName('crash');
const generator = parseGeneratorConfig({
  runId: name,
  seed: 23,
  customers: 1500,
  merchants: 300,
  days: 20,
  fraud: { rate: 0.02, groundTruth: promptLabels(48) },
  topics: prefixedTopics(name, 3),
});

function settingsFor(app: string) {
  return {
    applicationId: app,
    topics: topicsFor(generator.topics, app),
  };
}

const reference = parseProcessorConfig(settingsFor(`${name}-reference`));
const crashed = settingsFor(`${name}-crashed`);
const settingsFile = path.join(mkdtempSync(path.join(tmpdir(), 'synfin-crash-')), 'processor.yaml');
let total = 0;
const stop = new AbortController();
let referenceRun: Promise<void> = Promise.resolve();
let child: ChildProcess | undefined;

function startChild(): ChildProcess {
  return stageProcess(endpoints, 'processors/cli.ts', ['--config', settingsFile]);
}

const written = (topic: string) => recordsWritten(kafka, topic);

beforeAll(async () => {
  writeFileSync(settingsFile, stringify(crashed));
  const summary = await runGenerator(generator, {
    kafka,
    codec,
    logger,
    signal: new AbortController().signal,
  });
  total = summary.produced.transaction ?? 0;
  referenceRun = inProcessRun(reference, { kafka, codec, logger, signal: stop.signal });
}, 180_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  stop.abort();
  await referenceRun.catch(() => undefined);
  await kafka.close();
});

describe('processor crash', () => {
  it('kill -9 mid-stream and restart: every purchase once, features as without the crash', async () => {
    child = startChild();
    // Written includes uncommitted and aborted records: enough to know it is mid-stream.
    const deadline = Date.now() + 120_000;
    while ((await written(`${crashed.applicationId}.features`)) < total * 0.3) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(200);
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    const before = await written(`${crashed.applicationId}.features`);
    expect(before).toBeLessThan(total);
    child = startChild();

    const read = (topic: string) => featureRows(kafka, topic, total);
    const [restarted, uninterrupted] = await Promise.all([
      read(crashed.topics.features),
      read(reference.topics.features),
    ]);
    // Give a duplicate time to show up before counting.
    await sleep(3000);
    const again = await read(crashed.topics.features);
    expect(again.length).toBe(total);
    expect(new Set(restarted.map((row) => row.transactionId)).size).toBe(total);
    const byId = new Map(uninterrupted.map((row) => [row.transactionId, row]));
    const differing = again.filter(
      (row) => JSON.stringify(row) !== JSON.stringify(byId.get(row.transactionId)),
    );
    expect(differing.slice(0, 3)).toEqual([]);
  }, 480_000);
});
