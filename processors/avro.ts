/** Avro encoding of the processors' public outputs, in Confluent wire format. */
import avro from 'avsc';
import type { AvroSchema } from '../core/registry/codec.ts';
import { WIRE_HEADER_BYTES } from '../core/registry/codec.ts';
import { wireEncoder } from '../core/registry/wire-encoder.ts';

export interface OutputCodec {
  readonly schemaId: number;
  encode(value: Record<string, unknown>): Buffer;
  /** The record back from a wire-format message this codec wrote. */
  decode(wire: Buffer): Record<string, unknown>;
}

export function outputCodec(schemaId: number, schema: AvroSchema): OutputCodec {
  const type = avro.Type.forSchema(schema as avro.Schema);
  const encode = wireEncoder(schemaId, type);
  return {
    schemaId,
    encode: (value) => encode(value),
    decode: (wire) => type.fromBuffer(wire.subarray(WIRE_HEADER_BYTES)) as Record<string, unknown>,
  };
}
