/**
 * One processor process (both stages, features + labels) on the native stack: transactions/s from
 * start to the last feature record committed, and the RSS that state costs per 100k customers.
 * Input is produced first, so the number is the processor's own rate, not the producer's.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { METRIC } from '../../core/metric-names.ts';
import { createMetricsRegistry } from '../../core/metrics.ts';
import type { MetricsSnapshot } from '../../core/stage-threads.ts';
import { parseProcessorConfig, topicsFor } from '../../processors/config.ts';
import { processorMetrics } from '../../processors/metrics.ts';
import { runProcessors, runProcessorThreads } from '../../processors/run.ts';
import { type BenchRow, benchInput, benchServices, report, startProfile } from '../lib.ts';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 2);
const { config, logger, kafka, codec } = await benchServices();
const name = `bench-proc-${Date.now().toString(36)}`;
const { generator, produced } = await benchInput({ kafka, codec, logger }, name, CUSTOMERS, DAYS);
const transactions = produced.transaction ?? 0;
console.error(`[bench] produced ${JSON.stringify(produced)}`);

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const settingsFor = (app: string, threads: number) =>
  parseProcessorConfig({
    applicationId: app,
    topics: topicsFor(generator.topics, app),
    threads,
    ...(process.env.BENCH_COMMIT_MS ? { commitIntervalMs: Number(process.env.BENCH_COMMIT_MS) } : {}),
    ...(process.env.BENCH_COMPRESSION ? { compression: process.env.BENCH_COMPRESSION } : {}),
  });

/** Feature records committed so far, from the processors' own counter. */
function featuresIn(snapshots: readonly MetricsSnapshot[], topic: string): number {
  let sum = 0;
  for (const snapshot of snapshots)
    for (const metric of snapshot)
      if (metric.name === METRIC.processorRecordsProduced)
        for (const value of metric.values) if (value.labels.topic === topic) sum += value.value;
  return sum;
}

/**
 * One measurement: a fresh application (its own groups, changelogs and outputs) over the same
 * input, from start to the last feature record committed, on worker threads as `synfin process
 * --threads` runs them. With BENCH_PROFILE the one-thread case runs in this thread instead, so
 * that it can be profiled (with V8's default heap sizing).
 */
async function measure(threads: number): Promise<{ seconds: number; peakRss: number; baseline: number }> {
  const settings = settingsFor(`${name}-t${threads}`, threads);
  const baseline = process.memoryUsage().rss;
  const stop = new AbortController();
  const registry = createMetricsRegistry({ defaultMetrics: false });
  let threadMetrics: (() => Promise<MetricsSnapshot[]>) | undefined;
  // BENCH_PROFILE=file.cpuprofile: a CPU profile of the processing alone (input generation excluded).
  const inThisThread = threads === 1 && process.env.BENCH_PROFILE !== undefined;
  let profiling = inThisThread ? await startProfile() : undefined;
  const started = performance.now();
  const running = inThisThread
    ? runProcessors(settings, {
        kafka,
        codec,
        logger,
        metrics: processorMetrics(registry),
        signal: stop.signal,
      })
    : runProcessorThreads(settings, {
        config,
        logger,
        signal: stop.signal,
        addMetrics: (source) => {
          threadMetrics = source;
          return () => undefined;
        },
      });
  let failed: unknown;
  running.catch((error: unknown) => {
    failed = error;
  });
  let peakRss = 0;
  let emitted = 0;
  // The event loop's longest stall: a stage's work, a GC pause or a commit blocking everything else.
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  let lastReport = performance.now();
  while (emitted < transactions) {
    if (failed) throw failed;
    await new Promise((resolve) => setTimeout(resolve, 250));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    // BENCH_PROFILE_SECONDS: stop profiling early (a run too slow to finish can still be profiled).
    if (
      profiling &&
      performance.now() - started > Number(process.env.BENCH_PROFILE_SECONDS ?? Infinity) * 1000
    ) {
      await profiling.stop(process.env.BENCH_PROFILE as string);
      profiling = undefined;
    }
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      const heap = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      console.error(
        `[bench] ${threads} thread(s): ${emitted} emitted, heap ${heap} MB, longest event-loop stall ${Math.round(loopDelay.max / 1e6)} ms`,
      );
    }
    // A thread still starting (or busy past the scrape timeout) fails the scrape: count again later.
    const fromThreads = threadMetrics ? await threadMetrics().catch(() => undefined) : [];
    if (fromThreads)
      emitted = featuresIn([await registry.getMetricsAsJSON(), ...fromThreads], settings.topics.features);
  }
  const seconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  if (profiling) await profiling.stop(process.env.BENCH_PROFILE as string);
  stop.abort();
  await running;
  return { seconds, peakRss, baseline };
}

const single = await measure(1);
const threaded = THREADS > 1 ? await measure(THREADS) : undefined;
await kafka.close();

const rows: BenchRow[] = [
  {
    case: `one process, both stages, ${transactions} transactions (${CUSTOMERS} customers, ${DAYS} days), 1 thread`,
    value: Math.round(transactions / single.seconds),
    unit: 'transactions/s',
    target: '≥ 25,000 (goal 50,000)',
    note: 'from start (restore included) to the last feature record committed',
  },
  ...(threaded
    ? [
        {
          case: `the same, --threads ${THREADS} (instances on worker threads, one consumer group)`,
          value: Math.round(transactions / threaded.seconds),
          unit: 'transactions/s',
          target: '≥ 25,000 (goal 50,000)',
          note: 'same input, fresh application',
        },
      ]
    : []),
  {
    // The last figure on kafkajs, for comparison: not measured in this run.
    case: 'earlier: the kafkajs runtime, 577,500 transactions (100,000 customers, 2 days)',
    value: 4_176,
    unit: 'transactions/s',
    note: 'npm run bench of 2026-12-01 at commit 09d6033 (before the client moved), not this run',
  },
  {
    case: 'peak RSS per 100k customers (state after the 1-thread run)',
    value: Math.round(((single.peakRss - single.baseline) / 1024 / 1024) * (100_000 / CUSTOMERS)),
    unit: 'MB',
    note: `${DAYS} days of history; state grows with days up to the 30-day windows and label horizon`,
  },
];
report('processors-throughput', rows, { transactions, customers: CUSTOMERS, days: DAYS, threads: THREADS });
