/**
 * One processor process (both stages, features + labels) on the native stack: transactions/s from
 * start to the last feature record committed, and the RSS that state costs per 100k customers.
 * Input is produced first, so the number is the processor's own rate, not the producer's.
 */
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
});
const baseline = process.memoryUsage().rss;
// BENCH_PROFILE=file.cpuprofile: a CPU profile of the processing alone (input generation excluded).
const profiling = process.env.BENCH_PROFILE ? await startProfile() : undefined;
const stop = new AbortController();
const started = performance.now();
const running = runProcessors(settings, { kafka, codec, logger, metrics, signal: stop.signal });
let peakRss = 0;
let emitted = 0;
while (emitted < transactions) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
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
    case: 'peak RSS per 100k customers (state after the run)',
    value: Math.round(((peakRss - baseline) / 1024 / 1024) * (100_000 / CUSTOMERS)),
    unit: 'MB',
    note: `${DAYS} days of history; state grows with days up to the 30-day windows and label horizon`,
  },
];
report('processors-throughput', rows, { transactions, customers: CUSTOMERS, days: DAYS });
