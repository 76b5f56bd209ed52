/**
 * The Avro side of the producers: the schemas in schemas/, a subject per topic (TopicNameStrategy),
 * (the wire-format encoders are core/registry/wire-encoder.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { projectRoot } from '../core/paths.ts';
import type { AvroSchema } from '../core/registry/codec.ts';
import type { EventKind } from './stream.ts';

const SCHEMA_FILES: Record<EventKind, string> = {
  customer: 'customer.avsc',
  merchant: 'merchant.avsc',
  transaction: 'transaction.avsc',
  label: 'fraud-label.avsc',
};

export const EVENT_KINDS: readonly EventKind[] = ['customer', 'merchant', 'transaction', 'label'];

export function loadSchema(kind: EventKind, dir = path.join(projectRoot(), 'schemas')): AvroSchema {
  return JSON.parse(readFileSync(path.join(dir, SCHEMA_FILES[kind]), 'utf8')) as AvroSchema;
}

export function avroType(schema: AvroSchema): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema);
}
