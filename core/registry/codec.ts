/**
 * Avro over a Confluent-compatible schema registry, in Confluent wire format (magic byte 0, a 4-byte
 * schema id, the Avro body). Works with Confluent's registry and with Apicurio's ccompat API.
 */
import { type COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { SchemaRegistryConfig } from '../config/schema.ts';
import { SynfinError } from '../errors.ts';

export type AvroSchema = Record<string, unknown> & { type: 'record'; name: string };

export interface RegistryCodec {
  /** Sets the subject's compatibility explicitly, then registers; an incompatible schema is refused. */
  register(subject: string, schema: AvroSchema): Promise<number>;
  encode(schemaId: number, value: unknown): Promise<Buffer>;
  decode(message: Buffer): Promise<unknown>;
  /** The schema id a wire-format message names, without decoding it. */
  schemaIdOf(message: Buffer): number;
}

/** Confluent wire format: magic byte 0 then a big-endian 32-bit schema id. */
export const WIRE_HEADER_BYTES = 5;

export function createRegistryCodec(config: SchemaRegistryConfig): RegistryCodec {
  const baseUrl = config.url.replace(/\/+$/, '');
  const registry = new SchemaRegistry({ host: baseUrl, clientId: 'synfin' });
  const compatibility = config.compatibility as COMPATIBILITY;

  async function setCompatibility(subject: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/config/${encodeURIComponent(subject)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ compatibility }),
      });
    } catch (cause) {
      throw new SynfinError('SCHEMA_REGISTRY_UNAVAILABLE', `schema registry at ${baseUrl} is unreachable`, {
        cause,
        retriable: true,
      });
    }
    if (!response.ok) {
      throw new SynfinError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `schema registry refused compatibility ${compatibility} for ${subject}: ${response.status} ${await response.text()}`,
        { retriable: response.status >= 500 },
      );
    }
  }

  return {
    async register(subject, schema) {
      await setCompatibility(subject);
      try {
        const { id } = await registry.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
          { subject, compatibility, updateConfig: false },
        );
        return id;
      } catch (cause) {
        const status = (cause as { status?: number }).status;
        if (status === 409) {
          throw new SynfinError(
            'SCHEMA_INCOMPATIBLE',
            `schema ${schema.name} is not ${compatibility}-compatible with the versions registered under ${subject}`,
            { cause, details: { subject } },
          );
        }
        throw new SynfinError('SCHEMA_REGISTRY_UNAVAILABLE', `cannot register ${subject}: ${String(cause)}`, {
          cause,
          retriable: status === undefined || status >= 500,
        });
      }
    },
    async encode(schemaId, value) {
      return registry.encode(schemaId, value);
    },
    async decode(message) {
      try {
        return await registry.decode(message);
      } catch (cause) {
        throw new SynfinError('MESSAGE_DECODE_FAILED', `cannot decode message: ${String(cause)}`, { cause });
      }
    },
    schemaIdOf(message) {
      if (message.length < WIRE_HEADER_BYTES || message[0] !== 0) {
        throw new SynfinError('MESSAGE_DECODE_FAILED', 'not in Confluent wire format (magic byte 0 missing)');
      }
      return message.readUInt32BE(1);
    },
  };
}
