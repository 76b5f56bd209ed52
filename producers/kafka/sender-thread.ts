/**
 * The sending side of the threaded event sink (threaded-sink.ts), on a worker thread of its own:
 * a Kafka client and the in-thread event sink, fed the slabs the generating thread packs. Batching,
 * partitioning, compression and the socket work happen here while the other thread generates.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { KafkaConfig, LogConfig } from '../../core/config/schema.ts';
import { SynfinError } from '../../core/errors.ts';
import { createKafkaClient } from '../../core/kafka/client.ts';
import { kafkaErrorId } from '../../core/kafka/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { createMetricsRegistry, kafkaClientMetrics } from '../../core/metrics.ts';
import { type KafkaSinkOptions, kafkaEventSink } from './event-sink.ts';
import type { FromSender, ToSender } from './sender-protocol.ts';
import { SlabReader } from './slab.ts';

export interface SenderThreadData {
  kafka: KafkaConfig;
  log: LogConfig;
  /** Fields every log line carries (the generating side's). */
  logBindings: Record<string, unknown>;
  /** Labels of every metric series (the process's run id). */
  metricLabels: Record<string, string>;
  sink: KafkaSinkOptions;
}

if (isMainThread || !parentPort) throw new Error('sender-thread: not on a worker thread');
const port = parentPort;
const data = workerData as SenderThreadData;
const logger = createLogger(data.log, { ...data.logBindings, component: 'sender' });
const registry = createMetricsRegistry({ defaultMetrics: false, labels: data.metricLabels });
const kafka = createKafkaClient(data.kafka, logger, { metrics: kafkaClientMetrics(registry) });
const sink = await kafkaEventSink(kafka, data.sink);
const reader = new SlabReader();
const post = (message: FromSender) => port.postMessage(message);

// Slabs and flushes are worked off in the order they came; a scrape is answered at once.
const queue: ToSender[] = [];
let working = false;
let failed = false;

async function work(message: ToSender): Promise<void> {
  if (message.type === 'slab') {
    reader.open(message.slab);
    while (reader.next()) {
      const wait = sink.write(reader.topic, reader.key, reader.value, reader.timestamp);
      if (wait) await wait;
    }
    post({ type: 'taken' });
  } else if (message.type === 'flush') {
    await sink.flush();
    post({ type: 'flushed', id: message.id });
  }
}

async function closeAll(): Promise<void> {
  await (failed ? kafka.close() : sink.close().finally(() => kafka.close()));
  post({ type: 'closed' });
  // End the thread even if a client left a handle open, so the process's exit is not held up
  // (the generating side also takes the thread's exit for the close).
  process.exit(0);
}

async function drain(): Promise<void> {
  working = true;
  for (let message = queue.shift(); message; message = queue.shift()) {
    try {
      // After a failure only the close is carried out: the generating side stops at the failure.
      if (message.type === 'close') await closeAll();
      else if (!failed) await work(message);
    } catch (error) {
      failed = true;
      const code = error instanceof SynfinError ? error.code : undefined;
      const reason = kafkaErrorId(error);
      const text = error instanceof Error ? error.message : String(error);
      post({ type: 'failed', code, message: reason ? `${text} (the broker said ${reason})` : text });
    }
  }
  working = false;
}

port.on('message', (message: ToSender) => {
  if (message.type === 'metrics') {
    void registry.getMetricsAsJSON().then((metrics) => post({ type: 'metrics', id: message.id, metrics }));
    return;
  }
  queue.push(message);
  if (!working) void drain();
});
