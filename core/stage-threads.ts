/**
 * A stage as N instances on worker threads of one process. Each thread is a whole instance — its
 * own Kafka client, registry codec and metrics — in the same consumer groups as its siblings, so
 * the groups split the partitions between them exactly as between processes (and a failed thread
 * stops them all: they share the process and its restart). Node runs JavaScript on one thread per
 * isolate; this is how one process uses more than one core.
 *
 * `/metrics` of the process shows the sum over the threads: their registries are read on each
 * scrape (`StageServices.addMetrics`), so lag is never older than the scrape.
 */
import { isMainThread, parentPort, type ResourceLimits, Worker, workerData } from 'node:worker_threads';
import {
  AggregatorRegistry,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from 'prom-client';
import type { Config } from './config/schema.ts';
import { type ErrorCode, SynfinError } from './errors.ts';
import { createKafkaClient, type KafkaClient } from './kafka/client.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetricsRegistry, kafkaClientMetrics } from './metrics.ts';
import { createRegistryCodec, type RegistryCodec } from './registry/codec.ts';

export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** Adds a source of registries (a thread's) to a process's or thread's scrapes; returns the unregister call. */
export type AddMetrics = (source: () => Promise<MetricsSnapshot[]>) => () => void;

/** What a stage thread is handed: its clients, its index among the threads, and its stop signal. */
export interface StageThreadContext<Data> {
  config: Config;
  data: Data;
  index: number;
  logger: Logger;
  kafka: KafkaClient;
  codec: RegistryCodec;
  registry: Registry;
  signal: AbortSignal;
  /** Control messages the process sends every thread while it runs (pause, a new rate, …). */
  onControl(listener: (message: unknown) => void): void;
  /** Adds registries of threads this one starts to its scrapes. */
  addMetrics: AddMetrics;
}

type ToThread = { type: 'stop' } | { type: 'metrics'; id: number } | { type: 'control'; message: unknown };
type FromThread =
  | { type: 'metrics'; id: number; metrics: MetricsSnapshot[] }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; code: ErrorCode | undefined; message: string };

interface ThreadInput<Data> {
  config: Config;
  data: Data;
  index: number;
  logBindings: Record<string, unknown>;
}

/** A scrape waits this long for a busy thread's registry, then fails (under the control plane's 2 s). */
const SCRAPE_TIMEOUT_MS = 1500;

export interface StageThreadsOptions<Data> {
  /** The module that calls `stageThread(...)`. */
  module: URL;
  count: number;
  config: Config;
  /** What thread `index` is given (plain data: it is copied to the thread). */
  data: (index: number) => Data;
  signal: AbortSignal;
  /** Fields every log line of a thread carries (besides `thread`: its index). */
  logBindings?: Record<string, unknown>;
  /** V8 heap limits of each thread (Node sets these per worker; flags cannot, once started). */
  resourceLimits?: ResourceLimits;
  /** Registers the threads' metrics with the process's /metrics; returns the unregister call. */
  addMetrics?: AddMetrics;
  /** Given the function that sends a control message to every thread, once they are started. */
  connect?: (broadcast: (message: unknown) => void) => void;
}

/**
 * Runs `count` threads until they finish or the signal aborts, and resolves with what each thread's
 * work returned (by index); rejects with the first thread's error.
 */
export async function runStageThreads<Data, Result = void>(
  options: StageThreadsOptions<Data>,
): Promise<(Result | undefined)[]> {
  const results: (Result | undefined)[] = Array.from({ length: options.count }, () => undefined);
  const pending = new Map<number, (metrics: MetricsSnapshot[]) => void>();
  let nextId = 0;
  let failure: Error | undefined;
  const workers = Array.from({ length: options.count }, (_, index) => {
    const input: ThreadInput<Data> = {
      config: options.config,
      data: options.data(index),
      index,
      logBindings: options.logBindings ?? {},
    };
    return new Worker(options.module, {
      workerData: input,
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
  });
  const stopAll = () => {
    for (const worker of workers) worker.postMessage({ type: 'stop' } satisfies ToThread);
  };
  const exits = workers.map(
    (worker, index) =>
      new Promise<void>((resolve) => {
        worker.on('message', (message: FromThread) => {
          if (message.type === 'metrics') pending.get(message.id)?.(message.metrics);
          else if (message.type === 'done') results[index] = message.result as Result;
          else {
            failure ??= new SynfinError(message.code ?? 'STAGE_FAILED', message.message);
            stopAll();
          }
        });
        worker.on('error', (error) => {
          failure ??= new SynfinError('STAGE_FAILED', `thread ${index}: ${error.message}`, { cause: error });
          stopAll();
        });
        worker.on('exit', (code) => {
          if (code !== 0 && !options.signal.aborted)
            failure ??= new SynfinError('STAGE_FAILED', `thread ${index} exited with code ${code}`);
          if (failure) stopAll();
          resolve();
        });
      }),
  );
  // A thread that does not answer fails the whole scrape: a sum without it would under-report lag,
  // and a run whose processors seem to have no lag is taken for finished.
  const scrape = (worker: Worker, index: number) =>
    new Promise<MetricsSnapshot[]>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`thread ${index} did not answer a metrics scrape within ${SCRAPE_TIMEOUT_MS} ms`));
      }, SCRAPE_TIMEOUT_MS);
      pending.set(id, (metrics) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(metrics);
      });
      worker.postMessage({ type: 'metrics', id } satisfies ToThread);
    });
  const unregister = options.addMetrics?.(async () => (await Promise.all(workers.map(scrape))).flat());
  options.connect?.((message) => {
    for (const worker of workers) worker.postMessage({ type: 'control', message } satisfies ToThread);
  });
  options.signal.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(exits);
  } finally {
    options.signal.removeEventListener('abort', stopAll);
    unregister?.();
  }
  if (failure) throw failure;
  return results;
}

/** The entry of a stage thread's module: runs `work` with the thread's own clients until told to stop. */
export function stageThread<Data, Result = void>(
  work: (context: StageThreadContext<Data>) => Promise<Result>,
): void {
  if (isMainThread || !parentPort) throw new Error('stageThread: not on a worker thread');
  const port = parentPort;
  const { config, data, index, logBindings } = workerData as ThreadInput<Data>;
  const logger = createLogger(config.log, { ...logBindings, thread: index });
  // Process-wide metrics (CPU, memory, event loop of the main thread) come from the main registry.
  const registry = createMetricsRegistry({
    defaultMetrics: false,
    labels: config.runId ? { run_id: config.runId } : {},
  });
  const kafka = createKafkaClient(config.kafka, logger, { metrics: kafkaClientMetrics(registry) });
  const stop = new AbortController();
  const controlListeners: ((message: unknown) => void)[] = [];
  const metricSources = new Set<() => Promise<MetricsSnapshot[]>>();
  const snapshots = async () => {
    const all = [await registry.getMetricsAsJSON()];
    for (const source of metricSources) all.push(...(await source()));
    return all;
  };
  port.on('message', (message: ToThread) => {
    if (message.type === 'stop') stop.abort();
    else if (message.type === 'control') for (const listener of controlListeners) listener(message.message);
    else
      void snapshots().then((metrics) =>
        port.postMessage({ type: 'metrics', id: message.id, metrics } satisfies FromThread),
      );
  });
  const codec = createRegistryCodec(config.schemaRegistry);
  const onControl = (listener: (message: unknown) => void) => {
    controlListeners.push(listener);
  };
  const addMetrics: AddMetrics = (source) => {
    metricSources.add(source);
    return () => {
      metricSources.delete(source);
    };
  };
  void work({
    config,
    data,
    index,
    logger,
    kafka,
    codec,
    registry,
    signal: stop.signal,
    onControl,
    addMetrics,
  })
    .then((result) => port.postMessage({ type: 'done', result } satisfies FromThread))
    .catch((error: unknown) => {
      const code = error instanceof SynfinError ? error.code : undefined;
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ type: 'failed', code, message } satisfies FromThread);
    })
    .finally(async () => {
      await kafka.close().catch(() => undefined);
      // The work is over: end the thread even if a client left a handle open (an idle keep-alive
      // socket of the registry's HTTP client did), so that the process's stop is not held up.
      process.exit(0);
    });
}

/** The sum of a registry and its threads' registries, as Prometheus text. */
export async function mergedMetrics(
  registry: Registry,
  sources: Iterable<() => Promise<MetricsSnapshot[]>>,
): Promise<string> {
  const snapshots: MetricsSnapshot[] = [await registry.getMetricsAsJSON()];
  for (const source of sources) snapshots.push(...(await source()));
  return snapshots.length === 1 ? registry.metrics() : AggregatorRegistry.aggregate(snapshots).metrics();
}
