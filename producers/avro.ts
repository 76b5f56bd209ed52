/**
 * The Avro side of the producers: the schemas in schemas/, a subject per topic (TopicNameStrategy),
 * and a synchronous encoder per registered schema id for the hot path.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { projectRoot } from '../core/paths.ts';
import type { AvroSchema } from '../core/registry/codec.ts';
import { WIRE_HEADER_BYTES } from '../core/registry/codec.ts';
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

export type Encoder = (value: unknown) => Buffer;

/**
 * Confluent wire format without a round trip per message: magic byte, schema id, Avro body written
 * straight into a scratch buffer. The Buffer returned is a view of that scratch buffer, valid until
 * the next call: for a caller that copies it at once (the threaded event sink packs it into a slab).
 */
export function scratchWireEncoder(schemaId: number, type: avro.Type): Encoder {
  let scratch = Buffer.allocUnsafe(4096);
  scratch[0] = 0;
  scratch.writeUInt32BE(schemaId, 1);
  return (value) => {
    for (;;) {
      const end = type.encode(value, scratch, WIRE_HEADER_BYTES);
      if (end > 0) return scratch.subarray(0, end);
      // Negative: the record needs -end more bytes than the scratch buffer has.
      const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
      scratch.copy(grown, 0, 0, WIRE_HEADER_BYTES);
      scratch = grown;
    }
  };
}

/** As `scratchWireEncoder`, each message copied out at its exact size (the caller may keep it). */
export function wireEncoder(schemaId: number, type: avro.Type): Encoder {
  const encode = scratchWireEncoder(schemaId, type);
  return (value) => Buffer.from(encode(value));
}

/** The Avro body alone (no header): what determinism tests hash. */
export function bodyEncoder(type: avro.Type): Encoder {
  const encode = wireEncoder(0, type);
  return (value) => encode(value).subarray(WIRE_HEADER_BYTES);
}
