/**
 * Realtime pacing: one producer process (this one) in realtime mode at a target rate, on the native
 * stack. Each transaction is stamped with the wall clock as it is sent, so reading the topic back
 * gives the rate per 10-second window exactly; the worst window's deviation from the target is the
 * figure (target ±2% while the machine can do the rate). A rate above what it can do shows as
 * keepingUp false (synfin_producer_pace_behind_seconds above 1 s).
 */

import { readPartitions } from '../../core/kafka/reader.ts';
import { createMetricsRegistry } from '../../core/metrics.ts';
import { avroType, loadSchema } from '../../producers/avro.ts';
import { parseGeneratorConfig, prefixedTopics } from '../../producers/config.ts';
import { PACE_GIVE_UP_MS, producerMetrics } from '../../producers/metrics.ts';
import { runGenerator } from '../../producers/run.ts';
import { type BenchRow, benchServices, report } from '../lib.ts';

const WINDOW_MS = 10_000;
/** A larger world makes longer days to build (BENCH_CUSTOMERS=100000 shows the midnight stall). */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 20_000);
const transaction = avroType(loadSchema('transaction'));
const CASES = (process.env.BENCH_PACE_RATES ?? '5000:40,60000:30').split(',').map((pair) => {
  const [rate, seconds] = pair.split(':').map(Number) as [number, number];
  return { rate, seconds };
});

const services = await benchServices();
const rows: BenchRow[] = [];
const topicsToDelete: string[] = [];
for (const { rate, seconds } of CASES) {
  const name = `bench-pace-${Date.now().toString(36)}`;
  const generator = parseGeneratorConfig({
    runId: name,
    mode: 'realtime',
    ratePerSecond: rate,
    durationSeconds: seconds,
    customers: CUSTOMERS,
    merchants: Math.max(50, Math.round(CUSTOMERS / 20)),
    topics: prefixedTopics(name, 6),
  });
  const metrics = producerMetrics(createMetricsRegistry({ defaultMetrics: false }));
  let worstBehindMs = 0;
  const sampler = setInterval(async () => {
    const value = (await metrics.paceBehind.get()).values[0]?.value ?? 0;
    worstBehindMs = Math.max(worstBehindMs, value * 1000);
  }, 250);
  const summary = await runGenerator(generator, {
    ...services,
    metrics,
    signal: new AbortController().signal,
  });
  clearInterval(sampler);
  const transactions = summary.produced.transaction ?? 0;
  topicsToDelete.push(...Object.values(generator.topics).filter((t): t is string => typeof t === 'string'));
  // Every transaction's send time, read back (the body after the 5-byte wire-format header).
  const times: number[] = [];
  await readPartitions(services.kafka, generator.topics.transactions, {
    timeoutMs: 120_000,
    onBatch(batch) {
      for (const record of batch.records)
        times.push(
          Number(
            (transaction.fromBuffer((record.value as Buffer).subarray(5)) as { eventTime: number }).eventTime,
          ),
        );
      return false;
    },
    done: () => times.length >= transactions,
  });
  let [first, last] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const t of times) [first, last] = [Math.min(first, t), Math.max(last, t)];
  const counts = new Map<number, number>();
  for (const t of times) {
    const window = Math.floor((t - first) / WINDOW_MS);
    counts.set(window, (counts.get(window) ?? 0) + 1);
  }
  // Full windows only: the last one is cut short by the run's end.
  const full = [...counts].filter(([window]) => (window + 1) * WINDOW_MS <= seconds * 1000 - WINDOW_MS / 2);
  const deviations = full.map(([, count]) => (count / (WINDOW_MS / 1000) - rate) / rate);
  const worst = deviations.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
  const achieved = transactions / ((last - first) / 1000);
  rows.push(
    {
      case: `realtime at ${rate.toLocaleString('en-US')} tx/s for ${seconds} s: worst 10-s window vs target`,
      value: Math.round(worst * 1000) / 10,
      unit: '%',
      target: '±2 while the machine can do the rate',
      note: `${full.length} full windows; achieved ${Math.round(achieved).toLocaleString('en-US')} tx/s overall`,
    },
    {
      case: `realtime at ${rate.toLocaleString('en-US')} tx/s: worst lag behind the schedule`,
      value: Math.round(worstBehindMs) / 1000,
      unit: 's',
      note:
        worstBehindMs > PACE_GIVE_UP_MS
          ? 'keepingUp false: says it cannot hold the rate'
          : 'keepingUp true throughout',
    },
  );
}
await services.kafka.deleteTopics(topicsToDelete).catch(() => undefined);
await services.kafka.close();
report('producers-realtime-pace', rows, { cases: CASES });
