/**
 * One processor process (both stages, features + labels) on the native stack: transactions/s from
 * start to the last feature record committed, and the RSS that state costs per 100k customers.
 * Input is produced first, so the number is the processor's own rate, not the producer's.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createMetricsRegistry } from '../../core/metrics.ts';
import { parseProcessorConfig, topicsFor } from '../../processors/config.ts';
import { processorMetrics } from '../../processors/metrics.ts';
import { runProcessors } from '../../processors/run.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../producers/config.ts';
import { runGenerator } from '../../producers/run.ts';
import { type BenchRow, benchServices, report, startProfile } from '../lib.ts';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 2);
const { logger, kafka, codec } = await benchServices();
const name = `bench-proc-${Date.now().toString(36)}`;
const generator = parseGeneratorConfig({
  runId: name,
  customers: CUSTOMERS,
  merchants: Math.max(100, CUSTOMERS / 20),
  days: DAYS,
  topics: prefixedTopics(name, 6),
});
const produced = (
  await runGenerator(generator, { kafka, codec, logger, signal: new AbortController().signal })
).produced;
const transactions = produced.transaction ?? 0;
console.error(`[bench] produced ${JSON.stringify(produced)}`);

const registry = createMetricsRegistry({ defaultMetrics: false });
const metrics = processorMetrics(registry);
const settings = parseProcessorConfig({
  applicationId: name,
  topics: topicsFor(generator.topics, name),
  ...(process.env.BENCH_COMMIT_MS ? { commitIntervalMs: Number(process.env.BENCH_COMMIT_MS) } : {}),
});
const baseline = process.memoryUsage().rss;
// BENCH_PROFILE=file.cpuprofile: a CPU profile of the processing alone (input generation excluded).
let profiling = process.env.BENCH_PROFILE ? await startProfile() : undefined;
const stop = new AbortController();
const started = performance.now();
const running = runProcessors(settings, { kafka, codec, logger, metrics, signal: stop.signal });
let peakRss = 0;
let emitted = 0;
// The event loop's longest stall: a stage's work, a GC pause or a commit blocking everything else.
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();
let lastReport = performance.now();
while (emitted < transactions) {
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
      `[bench] ${emitted} emitted, heap ${heap} MB, longest event-loop stall ${Math.round(loopDelay.max / 1e6)} ms`,
    );
  }
  const values = (await metrics.produced.get()).values;
  emitted = values.find((v) => v.labels.topic === settings.topics.features)?.value ?? 0;
}
const seconds = (performance.now() - started) / 1000;
if (profiling) await profiling.stop(process.env.BENCH_PROFILE as string);
stop.abort();
await running;
await kafka.close();

const rows: BenchRow[] = [
  {
    case: `one process, both stages, ${transactions} transactions (${CUSTOMERS} customers, ${DAYS} days)`,
    value: Math.round(transactions / seconds),
    unit: 'transactions/s',
    target: '≥ 50,000',
    note: 'from start (restore included) to the last feature record committed',
  },
  {
    // The last figure on kafkajs, for comparison: not measured in this run.
    case: 'earlier: the kafkajs runtime, 577,500 transactions (100,000 customers, 2 days)',
    value: 4_176,
    unit: 'transactions/s',
    note: 'npm run bench of 2026-12-01 at commit 09d6033 (before the client moved), not this run',
  },
  {
    case: 'peak RSS per 100k customers (state after the run)',
    value: Math.round(((peakRss - baseline) / 1024 / 1024) * (100_000 / CUSTOMERS)),
    unit: 'MB',
    note: `${DAYS} days of history; state grows with days up to the 30-day windows and label horizon`,
  },
];
report('processors-throughput', rows, { transactions, customers: CUSTOMERS, days: DAYS });
