/**
 * `synfin evaluate` on the real stack: a seeded run produced, its features derived by the
 * processors and landed in ClickHouse by the sink; the CLI reads it back, prints the metrics and
 * writes the report folder. The numbers are reproducible (the same run evaluated twice) and equal,
 * to 1e-9, those of the same seed computed without services (the processors' tasks in memory).
 */

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../core/metrics.ts';
import { projectRoot } from '../../../core/paths.ts';
import { datasetOf } from '../../../evaluation/dataset.ts';
import { type EvaluationReport, evaluateDataset, evaluateRunInWorker } from '../../../evaluation/report.ts';
import { parseEvaluationSettings } from '../../../evaluation/settings.ts';
import { parseProcessorConfig, topicsFor } from '../../../processors/config.ts';
import { processorMetrics } from '../../../processors/metrics.ts';
import { runProcessors } from '../../../processors/run.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../../producers/config.ts';
import { runGenerator } from '../../../producers/run.ts';
import { clickhouseClient } from '../../../sinks/clickhouse/sink.ts';
import { runTopics } from '../../../sinks/config.ts';
import { evaluationRows, streamFeatures } from '../../fixtures/evaluation-rows.ts';
import { promptLabels } from '../../fixtures/generated.ts';
import { uniqueName } from '../../harness/config.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, eventually, type SinkStores, sinksInProcess } from '../../harness/sink-stores.ts';

const { config: base, logger, kafka, codec } = testServices();
const name = uniqueName('evaluate');
const LABEL_DELAY_DAYS = 2;
const generator = parseGeneratorConfig({
  runId: name,
  seed: 23,
  customers: 250,
  merchants: 60,
  days: 8,
  fraud: { rate: 0.04, groundTruth: promptLabels(24) },
  topics: prefixedTopics(name, 2),
});
const flags = ['--train-days', '3', '--delay-days', '2', '--k', '20'];
const settings = parseEvaluationSettings({ trainDays: 3, delayDays: 2, k: 20 });
const stop = new AbortController();
let stores: SinkStores;
let running: Promise<unknown> = Promise.resolve();
let out: string;
let transactions = 0;

async function evaluateCli(folder: string): Promise<EvaluationReport> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['control-plane/cli/synfin.ts', 'evaluate', '--run', name, '--out', folder, '--json', ...flags],
    {
      cwd: projectRoot(),
      env: {
        ...process.env,
        SYNFIN_CLICKHOUSE__URL: stores.config.clickhouse.url,
        SYNFIN_CLICKHOUSE__DATABASE: stores.config.clickhouse.database,
      },
      maxBuffer: 64 * 2 ** 20,
    },
  );
  return JSON.parse(stdout) as EvaluationReport;
}

beforeAll(async () => {
  stores = await createSinkStores(base, name);
  out = await mkdtemp(path.join(tmpdir(), 'synfin-evaluate-'));
  const summary = await runGenerator(generator, {
    kafka,
    codec,
    logger,
    signal: new AbortController().signal,
  });
  transactions = summary.produced.transaction;
  const processors = parseProcessorConfig({
    applicationId: name,
    labelDelayDays: LABEL_DELAY_DAYS,
    idleMs: 1000,
    topics: topicsFor(generator.topics, name),
  });
  running = Promise.all([
    runProcessors(processors, {
      kafka,
      codec,
      logger,
      metrics: processorMetrics(createMetricsRegistry({ defaultMetrics: false })),
      signal: stop.signal,
    }),
    sinksInProcess(
      {
        groupPrefix: name,
        topics: runTopics(name),
        clickhouse: { kinds: ['labels', 'features'] },
        batch: { maxWaitMs: 300 },
      },
      { config: stores.config, kafka, codec, logger, signal: stop.signal },
    ),
  ]);
  running.catch(() => undefined);
  const clickhouse = clickhouseClient(stores.config.clickhouse, stores.config.clickhouse.database);
  const count = async (table: string, topic: string) =>
    Number(
      (
        await (
          await clickhouse.query({
            query: `SELECT count() AS n FROM ${table} WHERE kafka_topic = '${topic}'`,
            format: 'JSONEachRow',
          })
        ).json<{ n: string }>()
      )[0]?.n ?? 0,
    );
  try {
    await eventually(
      async () =>
        (await count('transaction_features', `${name}.features`)) === transactions &&
        (await count('fraud_labels', `${name}.labels`)) === summary.produced.label,
      180_000,
      async () =>
        `features ${await count('transaction_features', `${name}.features`)} of ${transactions}, labels ${await count('fraud_labels', `${name}.labels`)} of ${summary.produced.label}`,
    );
  } finally {
    await clickhouse.close();
  }
}, 240_000);

afterAll(async () => {
  stop.abort();
  await running;
  await kafka.close();
  await stores?.drop();
  if (out) await rm(out, { recursive: true, force: true });
});

describe('synfin evaluate', () => {
  it('reports every model per test day, writes the folder, and the same numbers twice', async () => {
    const report = await evaluateCli(path.join(out, 'first'));
    expect(report.transactions).toBe(transactions);
    expect(report.frauds).toBeGreaterThan(20);
    // Every day after the first 3 + 2 is tested (a night's purchases may spill into a 9th day).
    const spanDays = (Date.parse(report.span.last) - Date.parse(report.span.first)) / 86_400_000 + 1;
    expect(spanDays).toBeGreaterThanOrEqual(8);
    expect(report.span.testDays).toBe(spanDays - 5);
    expect(report.results.map((r) => r.model)).toEqual(['rule_score', 'logistic_regression']);
    for (const result of report.results) {
      expect(result.days).toHaveLength(report.span.testDays);
      expect(result.overall.auc).toBeGreaterThan(0.5);
      expect(result.overall.averagePrecision).toBeGreaterThan(0);
    }
    const chart = await readFile(path.join(out, 'first', 'chart.svg'), 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart).toContain('logistic_regression');
    const csv = (await readFile(path.join(out, 'first', 'metrics.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(1 + 2 * report.span.testDays);
    expect(JSON.parse(await readFile(path.join(out, 'first', 'evaluation.json'), 'utf8'))).toEqual(report);

    const again = await evaluateCli(path.join(out, 'second'));
    expect(again).toEqual(report);
  }, 120_000);

  it('gives the control plane the same report from a worker thread, and its errors by code', async () => {
    const report = await evaluateCli(path.join(out, 'cli'));
    expect(await evaluateRunInWorker(stores.config.clickhouse, name, settings)).toEqual(report);
    await expect(
      evaluateRunInWorker(stores.config.clickhouse, `${name}-nothing`, settings),
    ).rejects.toMatchObject({
      code: 'EVALUATION_NOT_POSSIBLE',
      message: expect.stringContaining('no feature rows'),
    });
    // A database no sink ever migrated is "nothing landed", not a server failure.
    const empty = { ...stores.config.clickhouse, database: `${name}_none` };
    await expect(evaluateRunInWorker(empty, name, settings)).rejects.toMatchObject({
      code: 'EVALUATION_NOT_POSSIBLE',
      message: expect.stringContaining('no landed features'),
    });
  }, 120_000);

  it("lands the handbook's features with the values the stream computed", async () => {
    const { features } = streamFeatures(generator, LABEL_DELAY_DAYS);
    const sum = (name: string) => features.reduce((total, f) => total + Number(f[name]), 0);
    const clickhouse = clickhouseClient(stores.config.clickhouse, stores.config.clickhouse.database);
    try {
      const [landed] = (await (
        await clickhouse.query({
          query: `SELECT sum(tx_during_night) AS night, sum(terminal_tx_count_30d) AS count30, sum(terminal_risk_7d) AS risk7 FROM transaction_features FINAL WHERE kafka_topic = '${name}.features'`,
          format: 'JSONEachRow',
        })
      ).json()) as { night: string; count30: string; risk7: number }[];
      expect(Number(landed?.night)).toBe(sum('txDuringNight'));
      expect(Number(landed?.count30)).toBe(sum('terminalTxCount30d'));
      expect(sum('terminalTxCount30d')).toBeGreaterThan(0);
      expect(Math.abs(Number(landed?.risk7) - sum('terminalRisk7d'))).toBeLessThan(1e-9);
    } finally {
      await clickhouse.close();
    }
  });

  it('gives, to 1e-9, the numbers of the same seed evaluated without services', async () => {
    const report = await evaluateCli(path.join(out, 'third'));
    const local = evaluateDataset(name, datasetOf(evaluationRows(generator, LABEL_DELAY_DAYS)), settings);
    expect(local.transactions).toBe(report.transactions);
    expect(local.frauds).toBe(report.frauds);
    for (const [m, result] of report.results.entries()) {
      const expected = local.results[m];
      for (const [d, day] of result.days.entries()) {
        const want = expected?.days[d];
        expect(day.day).toBe(want?.day);
        for (const metric of ['auc', 'averagePrecision', 'cardPrecisionAtK'] as const) {
          const value = day[metric];
          const wanted = want?.[metric];
          if (value === null || wanted === null || wanted === undefined) expect(value).toBe(wanted);
          else expect(Math.abs(value - wanted)).toBeLessThanOrEqual(1e-9);
        }
      }
    }
  }, 120_000);
});
