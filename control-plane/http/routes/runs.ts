/** /v1/runs: start, list, inspect, watch (SSE), pause, resume, re-rate, stop and delete runs. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { reportChart } from '../../../evaluation/report.ts';
import { EvaluationSettingsSchema } from '../../../evaluation/settings.ts';
import { RunSpecSchema } from '../../runs/spec.ts';
import { isTerminal, RUN_STATES } from '../../runs/states.ts';
import type { RunStatus } from '../../runs/status.ts';
import type { RunRecord } from '../../runs/store.ts';
import { authenticate } from '../auth.ts';
import type { ServerDependencies } from '../server.ts';

const RunId = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,80}$' }) });

/** A run as clients see it (the final status is at /status). */
function present(record: RunRecord) {
  const { lastStatus: _omitted, ...stats } = record.stats;
  return {
    id: record.id,
    name: record.name,
    owner: record.owner,
    state: record.state,
    spec: record.spec,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    error: record.error,
    stats,
    links: {
      status: `/v1/runs/${record.id}/status`,
      events: `/v1/runs/${record.id}/events`,
      drift: `/v1/runs/${record.id}/drift`,
    },
  };
}

export const runRoutes: FastifyPluginAsyncTypebox<ServerDependencies> = async (app, deps) => {
  const { supervisor, config } = deps;
  // Event streams end when the server closes, or closing would wait for every watcher to leave.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of streams) close();
  });
  const writes = {
    onRequest: authenticate(deps.apiKeys),
    config: {
      rateLimit: {
        max: config.writeLimit.max,
        timeWindow: config.writeLimit.windowMs,
        keyGenerator: (request: FastifyRequest) => `key:${request.apiKeyId ?? request.ip}`,
      },
    },
  };
  const reads = {
    config: {
      rateLimit: {
        max: config.readLimit.max,
        timeWindow: config.readLimit.windowMs,
        keyGenerator: (request: FastifyRequest) => `ip:${request.ip}`,
      },
    },
  };
  const secured = { security: [{ apiKey: [] }], tags: ['runs'] };

  app.post(
    '/runs',
    { ...writes, schema: { ...secured, summary: 'Start a run', body: RunSpecSchema } },
    async (request, reply) =>
      reply.status(201).send(present(await supervisor.create(request.body, request.apiKeyId ?? null))),
  );

  app.get(
    '/runs',
    {
      ...reads,
      schema: {
        tags: ['runs'],
        summary: 'List runs, newest first',
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Enum([...RUN_STATES])),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
            offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { state, limit, offset } = request.query;
      const page = await supervisor.list({ state, limit, offset });
      return { items: page.items.map(present), total: page.total, limit, offset };
    },
  );

  app.get(
    '/runs/:id',
    { ...reads, schema: { tags: ['runs'], summary: 'One run', params: RunId } },
    async (request) => present(await supervisor.get(request.params.id)),
  );

  app.get(
    '/runs/:id/status',
    {
      ...reads,
      schema: {
        tags: ['runs'],
        summary: 'Progress: produced per topic, rate, consumer lag, rows per sink, state',
        params: RunId,
      },
    },
    async (request) =>
      supervisor.cachedStatus(request.params.id) ?? (await supervisor.status(request.params.id)),
  );

  app.get(
    '/runs/:id/drift',
    {
      ...reads,
      schema: {
        tags: ['runs'],
        summary:
          'The run’s drift manifest: the true change points of its schedule (scenario rates and parameters, category mix, paydays, holidays), in order',
        params: RunId,
      },
    },
    async (request) => {
      const changes = await supervisor.drift(request.params.id);
      return {
        runId: request.params.id,
        changes: changes.map(({ runId: _runId, params, startTime, endTime, ...change }) => ({
          ...change,
          startTime: new Date(startTime).toISOString(),
          endTime: new Date(endTime).toISOString(),
          params: params === null ? null : (JSON.parse(params) as unknown),
        })),
      };
    },
  );

  for (const action of ['pause', 'resume', 'stop'] as const) {
    app.put(
      `/runs/:id/${action}`,
      {
        ...writes,
        schema: { ...secured, summary: `${action[0]?.toUpperCase()}${action.slice(1)} a run`, params: RunId },
      },
      async (request) => present(await supervisor[action](request.params.id)),
    );
  }

  app.patch(
    '/runs/:id',
    {
      ...writes,
      schema: {
        ...secured,
        summary: 'Change a realtime run’s rate while it runs',
        params: RunId,
        body: Type.Object(
          { ratePerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => present(await supervisor.setRate(request.params.id, request.body.ratePerSecond)),
  );

  app.get(
    '/runs/:id/evaluation',
    {
      ...reads,
      schema: {
        tags: ['runs'],
        summary:
          'How well the rule score and a trained baseline detect the run’s fraud: prequential AUC, AP and Card Precision@k per test day, from ClickHouse',
        params: RunId,
        querystring: EvaluationSettingsSchema,
      },
    },
    async (request) => {
      await supervisor.get(request.params.id);
      return deps.evaluate(request.params.id, request.query);
    },
  );

  app.get(
    '/runs/:id/evaluation/chart.svg',
    {
      ...reads,
      schema: {
        tags: ['runs'],
        summary: 'The evaluation as an SVG chart (the same query parameters)',
        params: RunId,
        querystring: EvaluationSettingsSchema,
      },
    },
    async (request, reply) => {
      await supervisor.get(request.params.id);
      const report = await deps.evaluate(request.params.id, request.query);
      return reply.type('image/svg+xml').send(reportChart(report));
    },
  );

  app.delete(
    '/runs/:id',
    { ...writes, schema: { ...secured, summary: 'Delete a finished run’s record', params: RunId } },
    async (request, reply) => {
      await supervisor.remove(request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/runs/:id/events',
    {
      ...reads,
      schema: {
        tags: ['runs'],
        summary: 'Server-Sent Events: `status` every interval, `state` on each change, `end` when finished',
        params: RunId,
      },
    },
    async (request, reply) =>
      streamEvents(request, reply, deps, await supervisor.status(request.params.id), streams),
  );
};

function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ServerDependencies,
  first: RunStatus,
  streams: Set<() => void>,
): void {
  const { supervisor } = deps;
  const id = first.id;
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-request-id': String(request.id),
  });
  const send = (event: string, data: unknown) =>
    out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const close = () => {
    streams.delete(close);
    supervisor.off('status', onStatus);
    supervisor.off('state', onState);
    clearInterval(keepAlive);
    out.end();
  };
  const onStatus = (status: RunStatus) => {
    if (status.id === id) send('status', status);
  };
  const onState = (record: RunRecord) => {
    if (record.id !== id) return;
    send('state', { id, state: record.state, error: record.error });
    if (isTerminal(record.state)) {
      void supervisor.status(id).then((status) => {
        send('end', status);
        close();
      });
    }
  };
  const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
  request.raw.once('close', close);
  send('status', first);
  if (isTerminal(first.state)) {
    send('end', first);
    close();
    return;
  }
  supervisor.on('status', onStatus);
  supervisor.on('state', onState);
  streams.add(close);
}
