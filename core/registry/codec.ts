/**
 * Avro over a Confluent-compatible schema registry, in Confluent wire format (magic byte 0, a 4-byte
 * schema id, the Avro body). Works with Confluent's registry and with Apicurio's ccompat API.
 */
import { type COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { SchemaRegistryConfig } from '../config/schema.ts';
import { SynfinError } from '../errors.ts';
import { withRetry } from '../retry.ts';

export type AvroSchema = Record<string, unknown> & { type: 'record'; name: string };

export interface RegistryCodec {
  /** Sets the subject's compatibility explicitly, then registers; an incompatible schema is refused. */
  register(subject: string, schema: AvroSchema): Promise<number>;
  encode(schemaId: number, value: unknown): Promise<Buffer>;
  /**
   * Decodes a wire-format message, with one registry lookup per schema id (concurrent lookups
   * share it). Not decodable — no magic byte, an id the registry does not know, a body that is not
   * Avro of that schema — is MESSAGE_DECODE_FAILED; the registry unreachable is
   * SCHEMA_REGISTRY_UNAVAILABLE, retriable: the message may be fine.
   */
  decode(message: Buffer): Promise<unknown>;
  /**
   * decode() without a promise, for hot loops: undefined while the message's schema has not been
   * looked up yet (then call decode()). A decoded record is never undefined.
   */
  decodeKnown(message: Buffer): unknown;
  /** The writer schema of an id decode() has looked up already; undefined before that. */
  knownSchema(id: number): AvroSchema | undefined;
  /** The schema id a wire-format message names, without decoding it. */
  schemaIdOf(message: Buffer): number;
}

/** Confluent wire format: magic byte 0 then a big-endian 32-bit schema id. */
export const WIRE_HEADER_BYTES = 5;

/** Registration gives up after about a minute of timeouts or unreachable registry. */
const REGISTER_RETRY = { retries: 4, minTimeoutMs: 200, maxTimeoutMs: 2000 };

/**
 * The registry library's HTTP layer (mappersmith) reports a failure on this side — a timeout, a
 * refused or reset connection — as status 400 with the error's text as the body, where a 400 from
 * the registry carries its own JSON message.
 */
function clientSideFailure(cause: unknown): boolean {
  const { status, message } = cause as { status?: number; message?: string };
  return (
    status === 400 &&
    /Error, status 400: (Timeout|.*\b(ECONN\w+|EPIPE|ETIMEDOUT|socket hang up))/.test(message ?? '')
  );
}

function schemaIdOf(message: Buffer): number {
  if (message.length < WIRE_HEADER_BYTES || message[0] !== 0) {
    throw new SynfinError('MESSAGE_DECODE_FAILED', 'not in Confluent wire format (magic byte 0 missing)');
  }
  return message.readUInt32BE(1);
}

export function createRegistryCodec(config: SchemaRegistryConfig): RegistryCodec {
  const baseUrl = config.url.replace(/\/+$/, '');
  const timeoutMs = config.requestTimeoutMs;
  const registry = new SchemaRegistry({
    host: baseUrl,
    clientId: 'synfin',
    // Every request of the library gets a deadline (it has none by default); what times out is
    // tried again below. The shape of mappersmith's TimeoutMiddleware, its HTTP layer.
    middlewares: [
      () => ({
        async prepareRequest(next) {
          const request = await next();
          return request.timeout() ? request : request.enhance({ timeout: timeoutMs });
        },
      }),
    ],
  });
  const compatibility = config.compatibility as COMPATIBILITY;

  async function putCompatibility(subject: string): Promise<Response> {
    try {
      return await fetch(`${baseUrl}/config/${encodeURIComponent(subject)}`, {
        signal: AbortSignal.timeout(timeoutMs),
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
  }

  async function setCompatibility(subject: string): Promise<void> {
    let response = await putCompatibility(subject);
    // Apicurio answers 409 "A rule named 'COMPATIBILITY' already exists" when another instance
    // created the subject's rule between its check and its insert (two processors starting at
    // once); the rule exists now, so the same PUT updates it.
    if (response.status === 409) {
      await response.body?.cancel();
      response = await putCompatibility(subject);
    }
    if (!response.ok) {
      throw new SynfinError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `schema registry refused compatibility ${compatibility} for ${subject}: ${response.status} ${await response.text()}`,
        { retriable: response.status >= 500 },
      );
    }
  }

  const types = new Map<number, Promise<avro.Type>>();
  /** The lookups that have answered: what decodeKnown() can use without waiting. */
  const known = new Map<number, avro.Type>();
  const knownSchemas = new Map<number, AvroSchema>();

  async function fetchType(id: number): Promise<avro.Type> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/schemas/ids/${id}`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      throw new SynfinError('SCHEMA_REGISTRY_UNAVAILABLE', `schema registry at ${baseUrl} is unreachable`, {
        cause,
        retriable: true,
      });
    }
    if (response.status === 404) {
      throw new SynfinError('MESSAGE_DECODE_FAILED', `cannot decode message: unknown schema id ${id}`);
    }
    if (!response.ok) {
      throw new SynfinError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `schema registry answered ${response.status} for schema id ${id}`,
        { retriable: true },
      );
    }
    const { schema } = (await response.json()) as { schema: string };
    const parsed = JSON.parse(schema) as AvroSchema;
    const type = avro.Type.forSchema(parsed as unknown as avro.Schema);
    known.set(id, type);
    knownSchemas.set(id, parsed);
    return type;
  }

  function decodeWith(type: avro.Type, message: Buffer): unknown {
    try {
      return type.fromBuffer(message.subarray(WIRE_HEADER_BYTES));
    } catch (cause) {
      throw new SynfinError('MESSAGE_DECODE_FAILED', `cannot decode message: ${String(cause)}`, { cause });
    }
  }

  function typeOf(id: number): Promise<avro.Type> {
    let type = types.get(id);
    if (!type) {
      type = fetchType(id);
      types.set(id, type);
      // A failed lookup is asked again next time (the registry may be back, the id registered).
      type.catch(() => types.delete(id));
    }
    return type;
  }

  async function registerOnce(subject: string, schema: AvroSchema): Promise<number> {
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
        retriable: status === undefined || status >= 500 || clientSideFailure(cause),
      });
    }
  }

  return {
    // Registering the same schema again answers the same id: a request without an answer is
    // simply tried again.
    register: (subject, schema) => withRetry(() => registerOnce(subject, schema), REGISTER_RETRY),
    async encode(schemaId, value) {
      return registry.encode(schemaId, value);
    },
    async decode(message) {
      return decodeWith(await typeOf(schemaIdOf(message)), message);
    },
    knownSchema: (id) => knownSchemas.get(id),
    decodeKnown(message) {
      const type = known.get(schemaIdOf(message));
      return type === undefined ? undefined : decodeWith(type, message);
    },
    schemaIdOf,
  };
}
