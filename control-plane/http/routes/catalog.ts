/** What a client can ask for: the fraud scenarios with their parameters, and the Avro schemas. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../../../core/paths.ts';
import { SCENARIOS } from '../../../producers/fraud/index.ts';
import type { ServerDependencies } from '../server.ts';

function avroSchemas(): { name: string; file: string; schema: unknown }[] {
  const dir = path.join(projectRoot(), 'schemas');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.avsc'))
    .sort()
    .map((file) => {
      const schema = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { name: string };
      return { name: schema.name, file: `schemas/${file}`, schema };
    });
}

export async function catalogRoutes(app: FastifyInstance, deps: ServerDependencies): Promise<void> {
  // Prometheus HTTP service discovery: every live run's stages, labelled with run and stage.
  app.get(
    '/targets',
    {
      schema: { tags: ['catalog'], summary: 'Scrape targets of running stages (Prometheus http_sd_configs)' },
    },
    async () =>
      deps.supervisor.scrapeTargets().map((target) => ({
        targets: [`${deps.config.advertiseHost}:${target.port}`],
        // Not `stage`: the processors' own metrics carry a stage label of their own.
        labels: { run_id: target.runId, component: target.stage },
      })),
  );
  const schemas = avroSchemas();
  app.get(
    '/scenarios',
    { schema: { tags: ['catalog'], summary: 'Fraud scenarios and their parameters' } },
    async () => ({
      items: SCENARIOS.map((scenario) => ({
        name: scenario.name,
        description: scenario.description,
        parameters: scenario.params,
      })),
    }),
  );
  app.get(
    '/schemas',
    { schema: { tags: ['catalog'], summary: 'The Avro schemas of every topic' } },
    async () => ({
      items: schemas,
    }),
  );
}
