/**
 * The threaded event sink on the real broker: what the generating thread writes arrives as
 * written, and a batch the broker refuses fails the sink with the broker's reason, without hanging.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createKafkaClient } from '../../../../core/kafka/client.ts';
import { createLogger } from '../../../../core/logger.ts';
import type { MetricsSnapshot } from '../../../../core/stage-threads.ts';
import { threadedEventSink } from '../../../../producers/kafka/threaded-sink.ts';
import { testConfig, uniqueName } from '../../../harness/config.ts';
import { readTopic } from '../../../harness/kafka-read.ts';

const config = testConfig(inject('endpoints'));
const logger = createLogger(config.log);
const kafka = createKafkaClient(config.kafka, logger);
const created: string[] = [];
const settings = {
  kafka: config.kafka,
  log: config.log,
  logBindings: {},
  metricLabels: {},
  sink: { batchMessages: 500, maxInFlight: 2, compression: 'zstd' as const, lingerMs: 5 },
};

afterAll(async () => {
  await kafka.deleteTopics(created);
  await kafka.close();
});

describe('threaded event sink', () => {
  it('delivers every record with its key, value and timestamp, in order per key', async () => {
    const topic = uniqueName('sink');
    created.push(topic);
    await kafka.ensureTopics([{ topic, partitions: 3 }]);
    let scrape: (() => Promise<MetricsSnapshot[]>) | undefined;
    const sink = threadedEventSink({
      ...settings,
      addMetrics: (source) => {
        scrape = source;
        return () => {
          scrape = undefined;
        };
      },
    });
    const scratch = Buffer.alloc(64);
    const total = 30_000;
    for (let n = 0; n < total; n++) {
      // The caller's buffer is reused for every record: the sink copies it.
      const length = scratch.write(`value-${n}`);
      const wait = sink.write(topic, `key-${n % 7}`, scratch.subarray(0, length), 1_700_000_000_000 + n);
      if (wait) await wait;
    }
    await sink.flush();
    // The sending thread's client counts what Kafka acknowledged, for the process's /metrics.
    const snapshots = await (scrape as () => Promise<MetricsSnapshot[]>)();
    const produced = snapshots
      .flat()
      .find((metric) => metric.name === 'synfin_kafka_messages_produced_total')
      ?.values.find((value) => value.labels.topic === topic)?.value;
    expect(produced).toBe(total);
    await sink.close();
    expect(scrape, 'unregistered at close').toBeUndefined();
    const records = await readTopic(kafka, topic, (read) => read.length >= total, 60_000);
    expect(records).toHaveLength(total);
    const last = new Map<string, number>();
    for (const record of records) {
      const n = Number(record.value?.toString('utf8').slice('value-'.length));
      expect(record.key).toBe(`key-${n % 7}`);
      expect(record.timestamp).toBe(1_700_000_000_000 + n);
      expect(n).toBeGreaterThan(last.get(record.key ?? '') ?? -1);
      last.set(record.key ?? '', n);
    }
  });

  it('fails with the broker’s reason when it refuses a batch, and closes', async () => {
    const topic = uniqueName('refused');
    created.push(topic);
    // A record above the topic's max.message.bytes (random: compression cannot shrink it under):
    // the broker refuses it, and a retry cannot help.
    await kafka.ensureTopics([{ topic, partitions: 1, configs: { 'max.message.bytes': '10000' } }]);
    const sink = threadedEventSink(settings);
    sink.write(topic, 'k', randomBytes(50_000), Date.now());
    await expect(sink.flush()).rejects.toThrow(/sending thread: .+the broker said MESSAGE_TOO_LARGE/);
    expect(() => sink.write(topic, 'k', Buffer.alloc(1), Date.now())).toThrow(/sending thread/);
    await sink.close();
  });
});
