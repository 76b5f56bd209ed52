/**
 * The control plane's HTTP service: `/v1` runs API, OpenAPI at /openapi.json and docs at /docs,
 * /health, /ready and /metrics. Built from its dependencies, so unit tests drive it with
 * `fastify.inject` and no services.
 */

import { randomUUID } from 'node:crypto';
import AjvCompiler from '@fastify/ajv-compiler';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ControlPlaneConfig } from '../../core/config/schema.ts';
import type { Logger } from '../../core/logger.ts';
import type { Readiness } from '../../core/metrics-server.ts';
import type { EvaluationReport } from '../../evaluation/report.ts';
import type { EvaluationSettings } from '../../evaluation/settings.ts';
import type { RunSupervisor } from '../runs/supervisor.ts';
import { handleError } from './errors.ts';
import { methodNotAllowed } from './methods.ts';
import { httpMetrics } from './metrics.ts';
import { declareErrorResponses, toOpenApi30 } from './openapi.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { healthRoutes } from './routes/health.ts';
import { runRoutes } from './routes/runs.ts';

export interface ServerDependencies {
  config: ControlPlaneConfig;
  supervisor: RunSupervisor;
  logger: Logger;
  /** hash → key id (see auth.ts). */
  apiKeys: Map<string, string>;
  readiness: () => Promise<Readiness>;
  registry: Registry;
  /** A prequential evaluation of a run over what the sinks landed (evaluation/report.ts). */
  evaluate: (run: string, settings: EvaluationSettings) => Promise<EvaluationReport>;
}

export type ControlPlaneServer = FastifyInstance;

const validatorPool = AjvCompiler();

/**
 * Query strings and path parameters are text, so their values are coerced to the declared types;
 * a JSON body is typed already, and coercing it would turn `"processors": null` into `false`.
 */
const buildValidator: typeof validatorPool = (externalSchemas, options) => {
  const coercing = validatorPool(externalSchemas, options);
  const exact = validatorPool(externalSchemas, {
    ...(options?.plugins ? { plugins: options.plugins } : {}),
    customOptions: { ...(options?.customOptions as AjvCompiler.Options | undefined), coerceTypes: false },
  });
  return (route) => (route.httpPart === 'body' ? exact(route) : finiteOnly(coercing(route)));
};

type Validate = ReturnType<ReturnType<typeof validatorPool>>;

/**
 * Ajv coerces "1e400" or "Infinity" to a number and then skips its range checks (ajv-validator/ajv
 * PRs #2626 and #2661, fastify/fastify#6718, open as of this writing): `?limit=1e400` passed
 * `maximum: 200` and reached Postgres. A coerced value that is not finite is refused here.
 */
function finiteOnly(validate: Validate): Validate {
  const checked = ((data: unknown) => {
    const valid = validate(data);
    checked.errors = validate.errors ?? null;
    if (valid !== true || typeof data !== 'object' || data === null) return valid;
    for (const [key, value] of Object.entries(data))
      if (typeof value === 'number' && !Number.isFinite(value)) {
        checked.errors = [
          {
            instancePath: `/${key}`,
            schemaPath: '#/finite',
            keyword: 'type',
            params: {},
            message: 'must be a finite number',
          },
        ];
        return false;
      }
    return true;
  }) as Validate;
  return checked;
}

export async function buildServer(deps: ServerDependencies): Promise<ControlPlaneServer> {
  const { config } = deps;
  const app = Fastify({
    // pino's Logger is fastify's logger; only the declared types differ.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(given) ? given : randomUUID();
    },
    ajv: {
      // A misspelt field is an error, not silently dropped; defaults are filled in.
      customOptions: { removeAdditional: false, useDefaults: true, coerceTypes: 'array', allErrors: true },
    },
    schemaController: { compilersFactory: { buildValidator } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(handleError);
  methodNotAllowed(app);
  app.addHook('onRoute', declareErrorResponses);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  await app.register(helmet, { global: true });
  await app.register(cors, { origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });
  await app.register(rateLimit, {
    global: false,
    // After authentication, so a limit belongs to a key.
    hook: 'preHandler',
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`rate limit exceeded: ${context.max} requests per ${context.after}`), {
        statusCode: 429,
        code: 'RATE_LIMITED',
      }),
  });
  await app.register(swagger, {
    transformObject: (document) =>
      toOpenApi30('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'SynFinance Stream control plane',
        version: '1',
        description: 'Start, watch, pause, re-rate and stop synthetic data runs.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  httpMetrics(app, deps.registry);

  await app.register(healthRoutes, deps);
  await app.register(catalogRoutes, { prefix: '/v1', ...deps });
  await app.register(runRoutes, { prefix: '/v1', ...deps });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
