import type { FastifyInstance } from 'fastify';
import type { ServerDependencies } from '../server.ts';

/** /health: the process answers. /ready: its services answer (503 naming those that do not). /metrics. */
export async function healthRoutes(app: FastifyInstance, deps: ServerDependencies): Promise<void> {
  const hide = { schema: { hide: true } };
  app.get('/health', hide, async () => ({ status: 'ok' }));
  app.get('/ready', hide, async (_request, reply) => {
    const report = await deps.readiness();
    return reply.status(report.ready ? 200 : 503).send(report);
  });
  app.get('/metrics', hide, async (_request, reply) =>
    reply.header('content-type', deps.registry.contentType).send(await deps.registry.metrics()),
  );
}
