/**
 * One evaluation of a run, end to end: its rows from ClickHouse, the prequential folds, every
 * chosen model, and the report — a table for the console, and a folder with the numbers (JSON and
 * CSV) and the chart (SVG).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ClickhouseConfig } from '../core/config/schema.ts';
import { type ErrorCode, SynfinError } from '../core/errors.ts';
import { evaluationChart } from './chart.ts';
import { type Dataset, datasetOf, dayOf } from './dataset.ts';
import { MODELS } from './models/index.ts';
import { evaluate, type ModelResult } from './prequential.ts';
import type { EvaluationSettings } from './settings.ts';
import { readRunRows } from './source.ts';

export interface EvaluationReport {
  run: string;
  settings: EvaluationSettings;
  transactions: number;
  frauds: number;
  /** The first and last day of the run's purchases, and how many days were tested. */
  span: { first: string; last: string; testDays: number };
  results: ModelResult[];
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The report of a dataset (the run's rows, already read). */
export function evaluateDataset(run: string, data: Dataset, settings: EvaluationSettings): EvaluationReport {
  if (data.size === 0)
    throw new SynfinError('EVALUATION_NOT_POSSIBLE', `run ${run} has no feature rows in ClickHouse`, {
      details: { run },
    });
  const firstDay = dayOf(data.eventTime[0] as number);
  const lastDay = dayOf(data.eventTime[data.size - 1] as number);
  const spanDays = lastDay - firstDay + 1;
  const needed = settings.trainDays + settings.delayDays + 1;
  if (spanDays < needed)
    throw new SynfinError(
      'EVALUATION_NOT_POSSIBLE',
      `run ${run} spans ${spanDays} days; training on ${settings.trainDays}, skipping ${settings.delayDays} and testing on one needs ${needed}`,
      { details: { run, spanDays, needed } },
    );
  const models = MODELS.filter((model) => settings.models.includes(model.name));
  const { folds, results } = evaluate(data, models, settings);
  let frauds = 0;
  for (const label of data.fraud) frauds += label;
  return {
    run,
    settings,
    transactions: data.size,
    frauds,
    span: {
      first: isoDay(data.eventTime[0] as number),
      last: isoDay(data.eventTime[data.size - 1] as number),
      testDays: folds.length,
    },
    results,
  };
}

/** Reads the run `<prefix>.…` from ClickHouse and evaluates it. */
export async function evaluateRun(
  config: ClickhouseConfig,
  run: string,
  settings: EvaluationSettings,
): Promise<EvaluationReport> {
  return evaluateDataset(run, datasetOf(await readRunRows(config, run)), settings);
}

const fixed = (value: number | null) => (value === null ? '—' : value.toFixed(4));

/** The console table: one line per model, overall. */
export function reportTable(report: EvaluationReport): string {
  const { settings, span } = report;
  const lines = [
    `run ${report.run}: ${report.transactions} transactions, ${report.frauds} fraud, ${span.first} … ${span.last}`,
    `prequential: train ${settings.trainDays} d, delay ${settings.delayDays} d, test 1 d, ${span.testDays} test days`,
    '',
    `| model | AUC-ROC | average precision | Card Precision@${settings.k} |`,
    '| --- | ---: | ---: | ---: |',
    ...report.results.map(
      (r) =>
        `| ${r.model} | ${fixed(r.overall.auc)} | ${fixed(r.overall.averagePrecision)} | ${fixed(r.overall.cardPrecisionAtK)} |`,
    ),
  ];
  return lines.join('\n');
}

function csvOf(report: EvaluationReport): string {
  const lines = ['model,day,transactions,frauds,auc,average_precision,card_precision_at_k'];
  const cell = (value: number | null) => (value === null ? '' : String(value));
  for (const result of report.results)
    for (const day of result.days)
      lines.push(
        [
          result.model,
          day.day,
          day.transactions,
          day.frauds,
          cell(day.auc),
          cell(day.averagePrecision),
          cell(day.cardPrecisionAtK),
        ].join(','),
      );
  return `${lines.join('\n')}\n`;
}

/** The chart of a report (SVG). */
export function reportChart(report: EvaluationReport): string {
  const { trainDays, delayDays, k } = report.settings;
  const heading = `${report.run}: prequential evaluation (train ${trainDays} d, delay ${delayDays} d, test 1 d)`;
  return evaluationChart(report.results, heading, k);
}

/** Writes evaluation.json, metrics.csv and chart.svg into `folder`; returns their paths. */
export async function writeReport(report: EvaluationReport, folder: string): Promise<Record<string, string>> {
  await mkdir(folder, { recursive: true });
  const files = {
    json: join(folder, 'evaluation.json'),
    csv: join(folder, 'metrics.csv'),
    chart: join(folder, 'chart.svg'),
  };
  await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files.csv, csvOf(report));
  await writeFile(files.chart, reportChart(report));
  return files;
}

/** `evaluateRun` on a worker thread of its own: the caller's event loop stays free meanwhile. */
export function evaluateRunInWorker(
  config: ClickhouseConfig,
  run: string,
  settings: EvaluationSettings,
): Promise<EvaluationReport> {
  // Source (.ts, run by Node's type stripping) or the build (.js), whichever this module is.
  const entry = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: { config, run, settings } });
    worker.once('message', (message: WorkerAnswer) => {
      if (message.report) resolve(message.report);
      else if (message.error?.code)
        reject(
          new SynfinError(message.error.code, message.error.message, {
            details: message.error.details ?? {},
          }),
        );
      else reject(new Error(`evaluation of ${run} failed: ${message.error?.message ?? 'no answer'}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`evaluation of ${run}: its thread exited with ${code}`));
    });
  });
}

interface WorkerAnswer {
  report?: EvaluationReport;
  error?: { code?: ErrorCode; message: string; details?: Record<string, unknown> };
}
