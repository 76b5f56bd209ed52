/**
 * Producing into Kafka from one process, on the native stack:
 *  - the whole producer (generate, encode, produce) through core/kafka, per compression codec;
 *  - the client alone: the same pre-encoded transactions sent through our event sink (on this
 *    thread, and on a thread of its own as the producer sends) and by a bare @platformatic/kafka
 *    producer;
 *  - the peer: Kafka's own ProducerPerformance (same jars as the broker) with the same record size
 *    and count, measured in the same run, and our ratio to it;
 *  - peak RSS of a child process producing 1M transactions.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Producer as PlatformaticProducer, serializersFrom } from '@platformatic/kafka';
import { loadConfig } from '../../core/config/load.ts';
import { type Compression, createKafkaClient } from '../../core/kafka/client.ts';
import { createLogger } from '../../core/logger.ts';
import { createRegistryCodec } from '../../core/registry/codec.ts';
import { wireEncoder } from '../../core/registry/wire-encoder.ts';
import { nativeStack } from '../../deploy/local/index.ts';
import { findJava } from '../../deploy/local/toolchain.ts';
import { avroType, loadSchema } from '../../producers/avro.ts';
import { parseGeneratorConfig } from '../../producers/config.ts';
import { type EventSink, kafkaEventSink } from '../../producers/kafka/event-sink.ts';
import { threadedEventSink } from '../../producers/kafka/threaded-sink.ts';
import { PRODUCER_NODE_FLAGS } from '../../producers/node-flags.ts';
import { runGenerator } from '../../producers/run.ts';
import { backfillEvents } from '../../producers/stream.ts';
import { runGeneratorThreads } from '../../producers/threads.ts';
import { type BenchRow, report } from '../lib.ts';

const N = Number(process.env.BENCH_TRANSACTIONS ?? 300_000);
const config = loadConfig({ env: { ...process.env, SYNFIN_LOG__LEVEL: 'warn' } });
const stack = nativeStack(config.stack, { say: (m) => console.error(`[bench] ${m}`) });
await stack.up();
const logger = createLogger({ level: 'warn', pretty: false });
const kafka = createKafkaClient(config.kafka, logger);
const codec = createRegistryCodec(config.schemaRegistry);
const rows: BenchRow[] = [];
const stamp = Date.now().toString(36);
const topicsToDelete: string[] = [];

function generatorConfig(name: string, transactions: number) {
  const topics = {
    customers: `${name}.c`,
    merchants: `${name}.m`,
    transactions: `${name}.t`,
    labels: `${name}.l`,
    partitions: 6,
  };
  topicsToDelete.push(...Object.values(topics).filter((t): t is string => typeof t === 'string'));
  return parseGeneratorConfig({
    runId: name,
    customers: 10_000,
    merchants: 2_000,
    days: 365,
    maxTransactions: transactions,
    topics,
  });
}

// 1. The whole producer, per codec.
for (const compression of ['none', 'gzip', 'zstd'] as Compression[]) {
  const run = generatorConfig(`bench-${stamp}-${compression}`, N);
  const summary = await runGenerator(run, {
    kafka,
    codec,
    logger,
    sink: { batchMessages: 4000, maxInFlight: 4, compression },
  });
  const events =
    summary.produced.transaction +
    summary.produced.label +
    summary.produced.customer +
    summary.produced.merchant;
  rows.push({
    case: `producer end to end, ${compression}`,
    value: events / ((summary.endedAt - summary.startedAt) / 1000),
    unit: 'events/s',
    target: '≥ 100,000',
    note: `${N.toLocaleString('en-US')} transactions, incl. world build and schema registration`,
  });
}

// 1b. The same with --workers 2: two shards on worker threads of one process.
{
  const run = parseGeneratorConfig({ ...generatorConfig(`bench-${stamp}-workers`, N), workers: 2 });
  const summary = await runGeneratorThreads(run, {
    config,
    logger,
    signal: new AbortController().signal,
    sink: { batchMessages: 4000, maxInFlight: 4, compression: 'zstd' },
  });
  const events = Object.values(summary.produced).reduce((sum, count) => sum + count, 0);
  rows.push({
    case: 'producer end to end, zstd, --workers 2',
    value: events / ((summary.endedAt - summary.startedAt) / 1000),
    unit: 'events/s',
    note: `${summary.produced.transaction.toLocaleString('en-US')} transactions, 2 worker threads, incl. world build`,
  });
}

// 2. The client alone: pre-encoded transactions.
const schema = loadSchema('transaction');
const encode = wireEncoder(1, avroType(schema));
const messages: { key: string; value: Buffer }[] = [];
for (const batch of backfillEvents(generatorConfig(`bench-${stamp}-pre`, N))) {
  for (const event of batch)
    if (event.kind === 'transaction') messages.push({ key: event.key, value: encode(event.value) });
}
const recordSize = Math.round(messages.reduce((sum, m) => sum + m.value.length, 0) / messages.length);

const clientTopic = `bench-${stamp}-client`;
topicsToDelete.push(
  `${clientTopic}-sink`,
  `${clientTopic}-threaded`,
  `${clientTopic}-platformatic`,
  `${clientTopic}-pp`,
);
await kafka.ensureTopics([
  { topic: `${clientTopic}-sink`, partitions: 6 },
  { topic: `${clientTopic}-threaded`, partitions: 6 },
  { topic: `${clientTopic}-platformatic`, partitions: 6 },
  { topic: `${clientTopic}-pp`, partitions: 6 },
]);

/** Sends every pre-encoded transaction through `sink` to `topic`; messages per second. */
async function timeSink(sink: EventSink, topic: string): Promise<number> {
  const started = performance.now();
  for (const m of messages) {
    const wait = sink.write(topic, m.key, m.value, 0);
    if (wait) await wait;
  }
  await sink.close();
  return messages.length / ((performance.now() - started) / 1000);
}

const clientSink = { batchMessages: 4000, maxInFlight: 4, compression: 'zstd' } as const;
rows.push({
  case: 'client only, our event sink (idempotent, acks=all, zstd)',
  value: await timeSink(await kafkaEventSink(kafka, clientSink), `${clientTopic}-sink`),
  unit: 'messages/s',
  note: `${recordSize} B records`,
});
// What the producer uses: the sink on a thread of its own, fed from this one (the timing starts
// before the thread does, as a run's would).
rows.push({
  case: 'client only, our threaded event sink (the producer’s; idempotent, acks=all, zstd)',
  value: await timeSink(
    threadedEventSink({
      kafka: config.kafka,
      log: { level: 'warn', pretty: false },
      logBindings: {},
      metricLabels: {},
      sink: clientSink,
    }),
    `${clientTopic}-threaded`,
  ),
  unit: 'messages/s',
  note: `${recordSize} B records, incl. the sending thread's start (~0.7 s)`,
});

{
  const bufferSerializer = (value?: Buffer) => value;
  const producer = new PlatformaticProducer({
    clientId: 'bench',
    bootstrapBrokers: [...config.kafka.brokers],
    serializers: serializersFrom(bufferSerializer as never),
    idempotent: true,
    acks: -1,
    compression: 'zstd',
  });
  const started = performance.now();
  // One send at a time: concurrent sends of its idempotent producer were refused by the broker
  // (OUT_OF_ORDER_SEQUENCE_NUMBER) in this run's first version.
  for (let i = 0; i < messages.length; i += 4000) {
    const batch = messages
      .slice(i, i + 4000)
      .map((m) => ({ topic: `${clientTopic}-platformatic`, key: Buffer.from(m.key), value: m.value }));
    await producer.send({ messages: batch } as never);
  }
  rows.push({
    case: 'client only, @platformatic/kafka (idempotent, acks=all, zstd)',
    value: messages.length / ((performance.now() - started) / 1000),
    unit: 'messages/s',
    note: `${recordSize} B records`,
  });
  await producer.close();
}

// 3. The peer: Kafka's ProducerPerformance from the broker's own jars.
{
  const java = await findJava('bench', 17);
  const libs = path.join(
    path.resolve(config.stack.softwareDir),
    `kafka-${config.stack.kafka.version}`,
    'libs',
  );
  const output = execFileSync(java.bin, [
    '-cp',
    `${libs}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    `${clientTopic}-pp`,
    '--num-records',
    String(messages.length),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${config.kafka.brokers.join(',')}`,
    'acks=all',
    'enable.idempotence=true',
    'compression.type=zstd',
    'linger.ms=5',
    'batch.size=262144',
  ]).toString();
  const final = output.trim().split('\n').at(-1) ?? '';
  const perSecond = Number(/([\d.]+) records\/sec/.exec(final)?.[1] ?? Number.NaN);
  rows.push({
    case: 'peer: Kafka ProducerPerformance (Java, same size/count, zstd)',
    value: perSecond,
    unit: 'messages/s',
    note: final.replace(/\|/g, '/'),
  });
  const ours = rows.find((row) => row.case.startsWith('client only, our event sink'))?.value ?? Number.NaN;
  rows.push({ case: 'ratio event sink / ProducerPerformance', value: ours / perSecond, unit: '×' });
  // The issue's measure: the whole producer (generate, encode, send) against the peer, same run.
  const whole = rows.find((row) => row.case === 'producer end to end, zstd')?.value ?? Number.NaN;
  rows.push({
    case: 'ratio producer end to end (zstd) / ProducerPerformance',
    value: whole / perSecond,
    unit: '×',
    target: '≥ 0.7',
  });
}

// 4. Peak RSS of one process producing 1M transactions end to end, with V8's default flags and with
// the producer's own (producers/node-flags.ts: most of the RSS is young-generation headroom).
for (const flags of [[], [...PRODUCER_NODE_FLAGS]]) {
  const child = execFileSync(
    process.execPath,
    [...flags, path.join(import.meta.dirname, 'rss-child.ts'), `bench-${stamp}-rss${flags.length}`],
    { env: { ...process.env, SYNFIN_LOG__LEVEL: 'warn' } },
  ).toString();
  const result = JSON.parse(child.trim().split('\n').at(-1) ?? '{}') as {
    maxRssMb: number;
    transactions: number;
    seconds: number;
    topics: string[];
  };
  topicsToDelete.push(...result.topics);
  rows.push({
    case: `peak RSS producing ${result.transactions.toLocaleString('en-US')} transactions${flags.length > 0 ? `, ${flags.join(' ')}` : ''}`,
    value: result.maxRssMb,
    unit: 'MB',
    target: '< 250',
    note: `${Math.round(result.transactions / result.seconds).toLocaleString('en-US')} transactions/s`,
  });
}

report('producers-kafka', rows, { transactions: N, recordSize });
await kafka.deleteTopics(topicsToDelete);
await kafka.close();
