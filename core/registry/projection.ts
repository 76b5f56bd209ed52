/**
 * Decoding only the fields a reader uses. Per writer schema id, a reader schema with the writer's
 * own definitions of just those fields, resolved against the writer's: the fields left out are
 * skipped in the buffer (no strings made for them), the rest decode as with the full schema. A
 * writer schema that cannot be cut so (a kept field naming a type defined in a dropped one) is
 * decoded whole.
 */
import avro from 'avsc';
import { SynfinError } from '../errors.ts';
import { type AvroSchema, type RegistryCodec, WIRE_HEADER_BYTES } from './codec.ts';

interface Projected {
  type: avro.Type;
  resolver: avro.Resolver | undefined;
}

export interface ProjectingDecoder {
  /** Decodes a message whose schema is known already; undefined when it has not been looked up. */
  decodeKnown(message: Buffer): unknown;
  /** Looks the schema up when needed, then decodes. */
  decode(message: Buffer): Promise<unknown>;
}

function project(schema: AvroSchema, fields: ReadonlySet<string>): Projected {
  const writer = avro.Type.forSchema(schema as unknown as avro.Schema);
  const kept = (schema.fields as { name: string }[]).filter((field) => fields.has(field.name));
  try {
    const reader = avro.Type.forSchema({ ...schema, fields: kept } as unknown as avro.Schema);
    return { type: reader, resolver: reader.createResolver(writer) };
  } catch {
    return { type: writer, resolver: undefined };
  }
}

export function projectingDecoder(codec: RegistryCodec, fields: ReadonlySet<string>): ProjectingDecoder {
  const projected = new Map<number, Projected>();

  const decodeAs = (id: number, message: Buffer): unknown => {
    let entry = projected.get(id);
    if (!entry) {
      const schema = codec.knownSchema(id);
      if (!schema) return undefined;
      entry = project(schema, fields);
      projected.set(id, entry);
    }
    try {
      return entry.type.fromBuffer(message.subarray(WIRE_HEADER_BYTES), entry.resolver);
    } catch (cause) {
      throw new SynfinError('MESSAGE_DECODE_FAILED', `cannot decode message: ${String(cause)}`, { cause });
    }
  };

  return {
    decodeKnown: (message) => decodeAs(codec.schemaIdOf(message), message),
    async decode(message) {
      // The full decode looks the schema up (and says why when it cannot); then the projection.
      const whole = await codec.decode(message);
      return decodeAs(codec.schemaIdOf(message), message) ?? whole;
    },
  };
}
