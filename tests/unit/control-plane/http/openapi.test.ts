/** /openapi.json: a valid OpenAPI 3.0.3 document with every operation's error responses. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { toOpenApi30 } from '../../../../control-plane/http/openapi.ts';
import { testServer } from '../../../fixtures/control-plane-server.ts';

const server = await testServer();
afterAll(() => server.app.close());

type Operation = {
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  requestBody?: unknown;
  parameters?: { in: string }[];
  security?: unknown;
};

describe('the OpenAPI document', () => {
  it('passes the OpenAPI 3.0.3 schema (and a 3.1 form inside it would not)', async () => {
    const document = (await server.app.inject({ url: '/openapi.json' })).json();
    expect(document.openapi).toBe('3.0.3');
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    // The validator is not lenient: the number form of exclusiveMinimum (JSON Schema 2020-12) fails it.
    const patch = document.paths['/v1/runs/{id}'].patch;
    patch.requestBody.content['application/json'].schema.properties.ratePerSecond = {
      type: 'number',
      exclusiveMinimum: 0,
    };
    expect((await new Validator().validate(document)).valid).toBe(false);
  });

  it('declares the error responses of every operation, with the error body', async () => {
    const document = (await server.app.inject({ url: '/openapi.json' })).json();
    const operations = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(10);
    for (const { path, method, operation } of operations) {
      const statuses = Object.keys(operation.responses);
      expect(statuses, `${method} ${path}`).toContain('500');
      if (operation.requestBody)
        expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['400', '413']));
      if (operation.security) expect(statuses, `${method} ${path}`).toContain('401');
      if (operation.parameters?.some((parameter) => parameter.in === 'path'))
        expect(statuses, `${method} ${path}`).toContain('404');
      for (const status of statuses.filter((status) => Number(status) >= 400))
        expect(operation.responses[status]?.content?.['application/json']?.schema).toMatchObject({
          required: ['statusCode', 'code', 'message', 'requestId'],
        });
    }
    const create = document.paths['/v1/runs'].post as Operation;
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['400', '401', '413', '422', '429', '503']),
    );
    const listing = document.paths['/v1/runs'].get;
    const offset = listing.parameters.find((parameter: { name: string }) => parameter.name === 'offset');
    expect(offset.schema.maximum).toBeTypeOf('number');
  });

  it('says an exclusive bound the 3.0 way, keeping the stricter of two bounds', () => {
    expect(toOpenApi30({ a: { exclusiveMinimum: 0, maximum: 5 } })).toEqual({
      a: { minimum: 0, exclusiveMinimum: true, maximum: 5 },
    });
    expect(toOpenApi30({ minimum: 3, exclusiveMinimum: 1 })).toEqual({ minimum: 3 });
    expect(toOpenApi30({ minimum: 1, exclusiveMinimum: 1 })).toEqual({ minimum: 1, exclusiveMinimum: true });
    expect(toOpenApi30({ items: [{ const: 'x' }] })).toEqual({ items: [{ enum: ['x'] }] });
  });
});

describe('methods', () => {
  it('answers 405 with Allow for a method a path lacks, and 404 for a path that does not exist', async () => {
    const wrong = await server.app.inject({ method: 'DELETE', url: '/v1/runs' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD, POST');
    expect(wrong.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED', statusCode: 405 });
    const onId = await server.app.inject({ method: 'POST', url: '/v1/runs/run-x?y=1' });
    expect(onId.statusCode).toBe(405);
    expect(onId.headers.allow).toBe('DELETE, GET, HEAD, PATCH');
    const none = await server.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('NOT_FOUND');
  });
});
