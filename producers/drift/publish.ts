/**
 * Puts a run's drift manifest on its drift topic (one partition, compacted, keyed
 * `<runId>/<seq>`) before the run's first transaction, so a consumer can read the true change
 * points before the data they explain. A run without drift has an empty manifest and no topic.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KafkaClient } from '../../core/kafka/client.ts';
import { projectRoot } from '../../core/paths.ts';
import type { AvroSchema, RegistryCodec } from '../../core/registry/codec.ts';
import { wireEncoder } from '../../core/registry/wire-encoder.ts';
import { avroType } from '../avro.ts';
import type { GeneratorConfig } from '../config.ts';
import { driftManifest } from './manifest.ts';

export function driftChangeSchema(): AvroSchema {
  return JSON.parse(
    readFileSync(path.join(projectRoot(), 'schemas', 'drift-change.avsc'), 'utf8'),
  ) as AvroSchema;
}

/** Publishes the manifest; returns how many change points it has. */
export async function publishDriftManifest(
  config: GeneratorConfig,
  startMs: number,
  kafka: KafkaClient,
  codec: RegistryCodec,
): Promise<number> {
  const manifest = driftManifest(config, startMs);
  if (manifest.length === 0) return 0;
  const topic = config.topics.drift;
  const schema = driftChangeSchema();
  const encode = wireEncoder(await codec.register(`${topic}-value`, schema), avroType(schema));
  await kafka.ensureTopics([{ topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
  const producer = kafka.producer();
  try {
    await producer.send(
      manifest.map((change) => ({
        topic,
        key: `${change.runId}/${change.seq}`,
        value: encode(change),
        timestamp: change.startTime,
      })),
    );
  } finally {
    await producer.close();
  }
  return manifest.length;
}
