/**
 * The observability contract on the real stack: producer, processors and sinks run as the CLIs a
 * deployment runs, with one run id. Their /metrics scrapes contain every metric the alerts and
 * dashboards query, with sane values (counters rising during the run, lag back to 0 at the end),
 * /health and /ready answer, and their log lines can be filtered by the run id across all three.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../../core/ports.ts';
import { topicsFor } from '../../../processors/config.ts';
import { prefixedTopics } from '../../../producers/config.ts';
import { runTopics } from '../../../sinks/config.ts';
import { uniqueName } from '../../harness/config.ts';
import { parseExposition, referencedMetrics } from '../../harness/monitoring.ts';
import { stageProcess, testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores } from '../../harness/sink-stores.ts';

const { endpoints, config: base, kafka } = testServices();
const name = uniqueName('obs');
const topics = prefixedTopics(name, 2);
const FRAUD_RATE = 0.05;
const dir = mkdtempSync(path.join(tmpdir(), 'synfin-obs-'));

interface Stage {
  child: ChildProcess;
  port: number;
  output: string[];
  exited: Promise<number | null>;
}

const stages: Record<'producer' | 'processor' | 'sink', Stage | undefined> = {
  producer: undefined,
  processor: undefined,
  sink: undefined,
};
let stores: SinkStores;
/** Scrapes taken while the producer was running, in order, per stage. */
const during: Record<string, Map<string, number>[]> = { producer: [], processor: [], sink: [] };
const final: Record<string, Map<string, number>> = {};
const raw: Record<string, string> = {};

function writeSettings(file: string, settings: unknown): string {
  const full = path.join(dir, file);
  writeFileSync(full, stringify(settings));
  return full;
}

async function start(
  stage: keyof typeof stages,
  cli: string,
  args: string[],
  env: Record<string, string> = {},
) {
  const port = await freePort();
  const child = stageProcess(
    endpoints,
    cli,
    [...args, '--metrics-port', String(port)],
    { SYNFIN_RUN_ID: name, SYNFIN_LOG__LEVEL: 'info', SYNFIN_LOG__PRETTY: 'false', ...env },
    { stdout: 'pipe' },
  );
  const output: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    output.push(...lines);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  stages[stage] = { child, port, output, exited };
}

async function scrape(stage: keyof typeof stages): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${stages[stage]?.port}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  raw[stage] = text;
  return parseExposition(text);
}

const total = (samples: Map<string, number> | undefined, metric: string) => samples?.get(metric) ?? 0;

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  const producerSettings = writeSettings('producer.yaml', {
    seed: 5,
    customers: 300,
    merchants: 60,
    mode: 'realtime',
    ratePerSecond: 250,
    durationSeconds: 25,
    fraud: { rate: FRAUD_RATE },
    topics,
  });
  // The run id comes from SYNFIN_RUN_ID, as in a deployment: the file does not name it.
  await start('producer', 'producers/cli.ts', ['--config', producerSettings]);
  await eventually(
    async () => (await kafka.partitionCount(topics.labels)) === 2,
    60_000,
    () => 'topics created',
  );

  // A record nobody can decode: the processors and the sink each count a dead letter.
  const producer = kafka.producer();
  await producer.send(
    [{ key: 'poison', value: Buffer.from('not avro at all'), partition: 0 }].map((message) => ({
      topic: topics.transactions,
      ...message,
    })),
  );
  await producer.close();

  const processorSettings = writeSettings('processors.yaml', {
    applicationId: name,
    idleMs: 1000,
    topics: topicsFor(topics, name),
  });
  await start('processor', 'processors/cli.ts', ['--config', processorSettings]);
  const sinkSettings = writeSettings('sinks.yaml', {
    groupPrefix: name,
    topics: runTopics(name),
    batch: { maxWaitMs: 300 },
  });
  await start('sink', 'sinks/cli.ts', ['--config', sinkSettings], {
    SYNFIN_CLICKHOUSE__URL: stores.config.clickhouse.url,
    SYNFIN_CLICKHOUSE__DATABASE: stores.config.clickhouse.database,
    SYNFIN_POSTGRES__URL: stores.config.postgres.url,
  });

  // Two scrapes of every stage a few seconds apart while the run produces.
  for (let round = 0; round < 2; round++) {
    await sleep(round === 0 ? 8000 : 6000);
    for (const stage of ['producer', 'processor', 'sink'] as const) during[stage]?.push(await scrape(stage));
  }
  const producerExit = await stages.producer?.exited;
  expect(producerExit, 'producer exit status').toBe(0);

  const summaryLine = stages.producer?.output.find((line) => line.startsWith('done: ')) ?? '';
  const produced = JSON.parse(/^done: (\{.*?\})/.exec(summaryLine)?.[1] ?? '{}') as Record<string, number>;
  expect(produced.transaction, summaryLine).toBeGreaterThan(1000);
  await eventually(
    async () =>
      (await stores.chNumber('SELECT count() FROM transaction_features')) === produced.transaction &&
      (await stores.chNumber('SELECT count() FROM transactions')) === produced.transaction &&
      (await stores.chNumber('SELECT count() FROM dead_letters')) >= 2,
    120_000,
    async () =>
      `features ${await stores.chNumber('SELECT count() FROM transaction_features')} of ${produced.transaction}`,
  );
  // Lag gauges are set per batch read: wait until each stage has seen the end of its inputs.
  await eventually(
    async () => {
      final.processor = await scrape('processor');
      final.sink = await scrape('sink');
      return (
        total(final.processor, 'synfin_processor_consumer_lag_records') === 0 &&
        total(final.sink, 'synfin_sink_consumer_lag_records') === 0 &&
        total(final.sink, 'synfin_sink_buffered_rows') === 0
      );
    },
    60_000,
    () =>
      `lag: processor ${total(final.processor, 'synfin_processor_consumer_lag_records')}, sink ${total(final.sink, 'synfin_sink_consumer_lag_records')}`,
  );
}, 300_000);

afterAll(async () => {
  for (const stage of Object.values(stages)) {
    stage?.child.kill('SIGTERM');
    await stage?.exited;
  }
  await stores?.drop();
  await kafka.deleteTopics([...Object.values(topics).filter((t): t is string => typeof t === 'string')]);
  await kafka.close();
});

describe('metrics of a running pipeline', () => {
  it('contain every metric the alerts and dashboards use', () => {
    const scraped = new Set([
      ...(during.producer?.at(-1)?.keys() ?? []),
      ...(final.processor?.keys() ?? []),
      ...(final.sink?.keys() ?? []),
    ]);
    const missing = [...referencedMetrics()]
      .filter(([metric]) => !scraped.has(metric))
      .map(([metric, where]) => `${metric} (used by ${where[0]})`);
    expect(missing).toEqual([]);
  });

  it('carry the run id on every series', () => {
    for (const stage of ['producer', 'processor', 'sink']) {
      const samples = (raw[stage] ?? '').split('\n').filter((line) => line.startsWith('synfin_'));
      expect(samples.length, stage).toBeGreaterThan(20);
      for (const line of samples) expect(line, stage).toContain(`run_id="${name}"`);
    }
  });

  it('show counters rising while the run produces', () => {
    const rising: [string, string][] = [
      ['producer', 'synfin_producer_events_total'],
      ['producer', 'synfin_kafka_messages_produced_total'],
      ['producer', 'synfin_kafka_produced_bytes_total'],
      ['producer', 'synfin_kafka_produce_latency_seconds_count'],
      ['processor', 'synfin_processor_records_consumed_total'],
      ['processor', 'synfin_processor_records_produced_total'],
      ['sink', 'synfin_sink_rows_written_total'],
      ['sink', 'synfin_sink_end_to_end_latency_seconds_count'],
    ];
    for (const [stage, metric] of rising) {
      const [first, second] = during[stage] ?? [];
      expect(total(second, metric), `${stage} ${metric}`).toBeGreaterThan(total(first, metric));
    }
  });

  it('report sane values: configured fraud, dead letters counted, latency of a realtime run in seconds', () => {
    const producer = during.producer?.at(-1);
    expect(total(producer, 'synfin_producer_configured_fraud_ratio')).toBe(FRAUD_RATE);
    expect(total(producer, 'synfin_producer_target_rate_events_per_second')).toBe(250);
    expect(raw.producer).toMatch(/synfin_producer_run_state\{[^}]*state="running"[^}]*\} 1/);
    expect(total(producer, 'synfin_kafka_produce_failures_total')).toBe(0);
    // The fraud alert compares these two: a healthy run stays well inside its threshold (±50%).
    const transactions = Number(
      /synfin_producer_events_total\{[^}]*kind="transaction"[^}]*\} (\d+)/.exec(raw.producer ?? '')?.[1],
    );
    const fraudRatio = total(producer, 'synfin_producer_fraud_transactions_total') / transactions;
    expect(transactions).toBeGreaterThan(1000);
    expect(Math.abs(fraudRatio - FRAUD_RATE)).toBeLessThan(0.5 * FRAUD_RATE);
    expect(total(final.processor, 'synfin_processor_dead_letters_total')).toBe(1);
    expect(total(final.sink, 'synfin_sink_dead_letters_total')).toBeGreaterThanOrEqual(1);
    const latencySum = total(final.sink, 'synfin_sink_end_to_end_latency_seconds_sum');
    const latencyCount = total(final.sink, 'synfin_sink_end_to_end_latency_seconds_count');
    expect(latencyCount).toBeGreaterThan(0);
    expect(latencySum / latencyCount, 'mean event-to-row seconds').toBeLessThan(30);
    console.info(
      `[scrape] ${transactions} transactions, fraud ratio ${fraudRatio.toFixed(4)} (configured ${FRAUD_RATE}), ` +
        `mean event-to-row ${(latencySum / latencyCount).toFixed(2)} s over ${latencyCount} rows`,
    );
    expect(total(final.sink, 'synfin_process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('answer /health and /ready (every dependency reachable)', async () => {
    for (const stage of ['processor', 'sink'] as const) {
      const base = `http://127.0.0.1:${stages[stage]?.port}`;
      expect((await fetch(`${base}/health`)).status, stage).toBe(200);
      const ready = await fetch(`${base}/ready`);
      expect(await ready.json(), stage).toEqual({ ready: true, failed: [] });
    }
  });
});

describe('logs of a running pipeline', () => {
  it('can be filtered by run id across producer, processors and sinks', () => {
    const lines = Object.entries(stages).flatMap(([stage, s]) =>
      (s?.output ?? [])
        .filter((line) => line.startsWith('{'))
        .map((line) => ({ stage, entry: JSON.parse(line) as Record<string, unknown> })),
    );
    const ofRun = lines.filter(({ entry }) => entry.runId === name);
    const services = new Set(ofRun.map(({ entry }) => entry.service));
    expect([...services].sort()).toEqual(['synfin-processor', 'synfin-producer', 'synfin-sink']);
    // Every JSON line of these processes carries it: nothing is lost by filtering.
    expect(ofRun.length).toBe(lines.length);
    const stagesSeen = new Set(ofRun.map(({ entry }) => entry.stage).filter(Boolean));
    for (const stage of ['producer', 'customer', 'merchant', 'sink-clickhouse', 'sink-postgres'])
      expect(stagesSeen, stage).toContain(stage);
    const messages = ofRun.map(({ entry }) => `${entry.service}: ${entry.msg}`);
    expect(messages).toContain('synfin-producer: run started');
    expect(messages.some((m) => m.startsWith('synfin-processor: partitions assigned'))).toBe(true);
    expect(messages.some((m) => m.startsWith('synfin-sink: '))).toBe(true);
  });
});
