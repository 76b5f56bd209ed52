/**
 * The entry of an evaluation's worker thread: evaluates one run and posts the report, or the
 * error's code and message. The control plane evaluates here so that minutes of model fitting
 * never stall its event loop (status, event streams, health).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ClickhouseConfig } from '../core/config/schema.ts';
import { isSynfinError } from '../core/errors.ts';
import { evaluateRun } from './report.ts';
import type { EvaluationSettings } from './settings.ts';

const { config, run, settings } = workerData as {
  config: ClickhouseConfig;
  run: string;
  settings: EvaluationSettings;
};
try {
  parentPort?.postMessage({ report: await evaluateRun(config, run, settings) });
} catch (error) {
  parentPort?.postMessage({
    error: isSynfinError(error)
      ? { code: error.code, message: error.message, details: error.details }
      : { message: error instanceof Error ? error.message : String(error) },
  });
}
