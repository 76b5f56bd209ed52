/**
 * What /openapi.json promises beyond the routes' own schemas: every operation's error responses
 * (declared from what the route has — a body, parameters, an API key, a rate limit) with the one
 * error body, and a document that is valid OpenAPI 3.0.3. TypeBox writes JSON Schema 2020-12
 * (`exclusiveMinimum: 0` as a number, `const`), which 3.0 validators and client generators refuse,
 * so the document is rewritten into the 3.0 forms that mean the same.
 */
import type { RouteOptions } from 'fastify';
import Type from 'typebox';

export const ErrorBodySchema = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'Stable error code (core/errors.ts), e.g. VALIDATION_FAILED' }),
    message: Type.String(),
    requestId: Type.String(),
    details: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'Facts about the error: fields, limits' }),
    ),
  },
  { description: 'An error' },
);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid parameters, query or body (each field named in details.issues)',
  401: 'No valid API key',
  404: 'No such run',
  405: 'The path exists, the method does not (see Allow)',
  409: 'The run is in a state that does not allow this',
  413: 'Body too large',
  422: 'Over a size quota of this control plane (details name the limit)',
  429: 'Over a rate limit or a concurrency quota (details name the limit)',
  500: 'Unexpected error (the server log has the request id)',
  503: 'Shutting down or a service is unavailable',
};

/** The error statuses a route can answer with, from what it declares. */
export function errorStatuses(route: RouteOptions): number[] {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const methods = [route.method].flat();
  const statuses = new Set<number>([500]);
  if (schema.body || schema.querystring || schema.params) statuses.add(400);
  if (schema.security) statuses.add(401);
  if (schema.params) statuses.add(404);
  if (schema.body) statuses.add(413);
  if (methods.some((method) => method === 'PUT' || method === 'PATCH' || method === 'DELETE'))
    statuses.add(409);
  if (methods.includes('POST')) {
    statuses.add(422);
    statuses.add(503);
  }
  const config = route.config as { rateLimit?: unknown } | undefined;
  if (config?.rateLimit) statuses.add(429);
  return [...statuses].sort((a, b) => a - b);
}

/** onRoute hook: adds the error responses to a documented route's schema. */
export function declareErrorResponses(route: RouteOptions): void {
  const schema = route.schema as (Record<string, unknown> & { hide?: boolean }) | undefined;
  if (!schema || schema.hide) return;
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  for (const status of errorStatuses(route))
    response[status] ??= { ...ErrorBodySchema, description: ERROR_DESCRIPTIONS[status] };
  route.schema = { ...schema, response };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON Schema 2020-12 forms → their OpenAPI 3.0 equivalents, everywhere in the document. */
export function toOpenApi30<T>(document: T): T {
  return rewrite(document as Json) as T;
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function rewrite(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'number') {
      const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      const other = node[bound];
      // The stricter of the two bounds wins; 3.0 says "exclusive" with a flag on the bound.
      const exclusiveWins =
        typeof other !== 'number' || (bound === 'minimum' ? value >= other : value <= other);
      out[bound] = exclusiveWins ? value : (other as number);
      if (exclusiveWins) out[key] = true;
      continue;
    }
    if ((key === 'minimum' || key === 'maximum') && typeof value === 'number') {
      const exclusive = node[key === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum'];
      if (typeof exclusive === 'number') continue; // decided with the exclusive bound
    }
    // A field with a default may be left out: the document should not make clients send it.
    if (key === 'required' && Array.isArray(value) && isObject(node.properties)) {
      const properties = node.properties;
      const needed = value.filter((name) => {
        const property = typeof name === 'string' ? properties[name] : undefined;
        return !(isObject(property) && 'default' in property);
      });
      if (needed.length > 0) out.required = needed;
      continue;
    }
    if (key === 'const') {
      out.enum = [rewrite(value)];
      continue;
    }
    out[key] = rewrite(value);
  }
  return out;
}
