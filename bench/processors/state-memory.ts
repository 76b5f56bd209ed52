/**
 * What the processors' state costs in memory per purchase kept, at 30 days of history (the
 * customer windows and the label horizon are 30 days, so that is where state stops growing), and
 * the RSS of a 100k-customer process extrapolated from two run sizes rather than from one.
 *
 * Heap is measured after a full garbage collection (this thread, where `gc` can be called), above
 * what the process held before the run; divided by the purchases the customer stage holds. Each
 * size's input is written first by this process, and read by a fresh child process that runs only
 * the processors: its RSS growth is theirs (the producer's freed memory made that figure noise).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMetricsRegistry } from '../../core/metrics.ts';
import { parseProcessorConfig, topicsFor } from '../../processors/config.ts';
import { processorMetrics } from '../../processors/metrics.ts';
import { runProcessors } from '../../processors/run.ts';
import { type BenchRow, benchInput, benchInputConfig, benchServices, report } from '../lib.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const DAYS = Number(process.env.BENCH_STATE_DAYS ?? 30);
const SIZES = (process.env.BENCH_STATE_CUSTOMERS ?? '1500,3000').split(',').map(Number) as [number, number];
const { logger, kafka, codec } = await benchServices();

/** The V8 heap plus the memory of buffers outside it (a Buffer's bytes are not in the heap), after a full GC. */
function settledMemory(): number {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

interface Measured {
  customers: number;
  purchases: number;
  heapBytes: number;
  rssBytes: number;
}

/** What a measuring child reads: the input one size's backfill wrote. */
interface Input {
  name: string;
  customers: number;
  transactions: number;
}

async function measure({ name, customers, transactions }: Input): Promise<Measured> {
  const generator = benchInputConfig(name, customers, DAYS);
  const registry = createMetricsRegistry({ defaultMetrics: false });
  const metrics = processorMetrics(registry);
  // The lean setting: features records read back for the label join instead of kept (~300 B each).
  const settings = parseProcessorConfig({
    applicationId: name,
    topics: topicsFor(generator.topics, name),
    labelJoin: 'kafka',
  });
  const heapBefore = settledMemory();
  const rssBefore = process.memoryUsage().rss;
  const stop = new AbortController();
  const running = runProcessors(settings, { kafka, codec, logger, metrics, signal: stop.signal });
  let emitted = 0;
  while (emitted < transactions) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const values = (await metrics.produced.get()).values;
    emitted = values.find((v) => v.labels.topic === settings.topics.features)?.value ?? 0;
  }
  // The state as it stands with everything emitted: read while the stages still hold it.
  const heapAfter = settledMemory();
  const rssAfter = process.memoryUsage().rss;
  const state = (await metrics.stateEntries.get()).values;
  // One series per task: kind `purchases_p<partition>`.
  let purchases = 0;
  for (const v of state)
    if (v.labels.stage === 'customer' && String(v.labels.kind).startsWith('purchases_p'))
      purchases += v.value;
  stop.abort();
  await running;
  console.error(`[bench] ${customers} customers, ${DAYS} days: ${transactions} purchases, ${purchases} held`);
  return { customers, purchases, heapBytes: heapAfter - heapBefore, rssBytes: rssAfter - rssBefore };
}

/** Each size in a fresh process, so that one run's freed memory does not hide the next one's growth. */
function inChild(input: Input): Measured {
  const { customers } = input;
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_STATE_INPUT: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (child.status !== 0)
    throw new Error(`state-memory run of ${customers} customers failed (${child.status})`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as Measured;
}

if (process.env.BENCH_STATE_INPUT) {
  console.log(JSON.stringify(await measure(JSON.parse(process.env.BENCH_STATE_INPUT) as Input)));
  await kafka.close();
  process.exit(0);
}
const inputs: Input[] = [];
for (const customers of SIZES) {
  const name = `bench-state-${customers}-${Date.now().toString(36)}`;
  const { produced } = await benchInput({ kafka, codec, logger }, name, customers, DAYS);
  inputs.push({ name, customers, transactions: produced.transaction ?? 0 });
}
await kafka.close();
const [small, large] = inputs.map(inChild) as [Measured, Measured];

// Two sizes: the slope is what another customer costs, without the fixed cost of the process.
const rssPerCustomer = (large.rssBytes - small.rssBytes) / (large.customers - small.customers);
const rows: BenchRow[] = [
  {
    case: `memory of state per purchase held, ${DAYS} days, labelJoin kafka (${large.customers} customers, ${large.purchases} purchases)`,
    value: Math.round(large.heapBytes / large.purchases),
    unit: 'B',
    target: '≤ 200',
    note: 'V8 heap + buffers outside it, after a full GC, above what the process held before the run: window facts, maps, ids',
  },
  {
    case: `the same at ${small.customers} customers (${small.purchases} purchases)`,
    value: Math.round(small.heapBytes / small.purchases),
    unit: 'B',
  },
  {
    case: 'what one more purchase held costs, from the two sizes',
    value: Math.round((large.heapBytes - small.heapBytes) / (large.purchases - small.purchases)),
    unit: 'B',
    note: 'the slope: without what the process holds whatever the size (client buffers, code, the world of customers)',
  },
  {
    case: `RSS per 100k customers at ${DAYS} days, from the two sizes`,
    value: Math.round((rssPerCustomer * 100_000) / 2 ** 20),
    unit: 'MB',
    note: `(RSS growth at ${large.customers} − at ${small.customers}) / ${large.customers - small.customers} customers × 100k`,
  },
];
report('processors-state-memory', rows, { days: DAYS, sizes: [small, large] });
