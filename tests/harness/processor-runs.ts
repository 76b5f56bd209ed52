/** What the processor crash and scale-out tests share: an uninterrupted run to compare with, and its output read back. */
import type { KafkaClient } from '../../core/kafka/client.ts';
import type { Logger } from '../../core/logger.ts';
import { createMetricsRegistry } from '../../core/metrics.ts';
import type { RegistryCodec } from '../../core/registry/codec.ts';
import { outputCodec } from '../../processors/avro.ts';
import type { ProcessorConfig } from '../../processors/config.ts';
import { featuresSchema } from '../../processors/features/catalog.ts';
import { processorMetrics } from '../../processors/metrics.ts';
import { runProcessors } from '../../processors/run.ts';
import { readTopic } from './kafka-read.ts';

/** The processors in this process until `signal` aborts; a failure shows when the result is awaited. */
export function inProcessRun(
  settings: ProcessorConfig,
  deps: { kafka: KafkaClient; codec: RegistryCodec; logger: Logger; signal: AbortSignal },
): Promise<void> {
  const run = runProcessors(settings, {
    ...deps,
    metrics: processorMetrics(createMetricsRegistry({ defaultMetrics: false })),
  });
  run.catch(() => undefined);
  return run;
}

const features = outputCodec(0, featuresSchema());

/** The feature records of `topic`, decoded, once there are at least `count` of them. */
export async function featureRows(kafka: KafkaClient, topic: string, count: number) {
  const records = await readTopic(kafka, topic, (read) => read.length >= count, 240_000);
  return records.map((record) => features.decode(record.value as Buffer));
}
