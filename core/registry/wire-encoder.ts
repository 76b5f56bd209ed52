/**
 * Confluent wire-format encoders for the hot paths (producers, processors): a synchronous encoder
 * per registered schema id, without a round trip to the registry per message.
 */
import type avro from 'avsc';
import { WIRE_HEADER_BYTES } from './codec.ts';

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
