/**
 * Generation speed without Kafka: events/s of the simulation alone, and with Avro encoding in
 * Confluent wire format (what the producer does per event before Kafka sees it). One thread: the
 * figures are per core.
 */
import { wireEncoder } from '../../core/registry/wire-encoder.ts';
import { avroType, EVENT_KINDS, loadSchema } from '../../producers/avro.ts';
import { parseGeneratorConfig } from '../../producers/config.ts';
import { createSimulation } from '../../producers/simulation.ts';
import { backfillEvents } from '../../producers/stream.ts';
import { type BenchRow, report } from '../lib.ts';

const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 1_000_000);
const config = parseGeneratorConfig({
  runId: 'bench',
  customers: 10_000,
  merchants: 2_000,
  days: 365,
  maxTransactions: TRANSACTIONS,
});

function pass(encode: boolean): { events: number; seconds: number; worldSeconds: number } {
  const encoders = Object.fromEntries(
    EVENT_KINDS.map((kind) => [kind, wireEncoder(1, avroType(loadSchema(kind)))]),
  );
  const worldStarted = performance.now();
  const simulation = createSimulation(config);
  const worldSeconds = (performance.now() - worldStarted) / 1000;
  const started = performance.now();
  let events = 0;
  let bytes = 0;
  for (const batch of backfillEvents(config, simulation)) {
    for (const event of batch) {
      if (event.kind !== 'transaction' && event.kind !== 'label') continue;
      events += 1;
      if (encode) bytes += encoders[event.kind]?.(event.value).length ?? 0;
    }
  }
  if (encode && bytes === 0) throw new Error('nothing encoded');
  return { events, seconds: (performance.now() - started) / 1000, worldSeconds };
}

pass(false); // warm-up: JIT and faker's tables
const plain = pass(false);
const encoded = pass(true);
const rows: BenchRow[] = [
  { case: 'world build (10k customers, 2k merchants)', value: plain.worldSeconds * 1000, unit: 'ms' },
  {
    case: 'generated (transactions + labels), no encoding',
    value: plain.events / plain.seconds,
    unit: 'events/s',
    target: '≥ 500,000 per core',
  },
  {
    case: 'generated + Avro wire-format encoding',
    value: encoded.events / encoded.seconds,
    unit: 'events/s',
  },
];
report('producers-generate', rows, { transactions: TRANSACTIONS });
