/** The Postgres sink's descriptor: entities (latest state), fraud labels and dead letters. */
import { displayUrl } from '../../core/display-url.ts';
import { defineSink } from '../descriptor.ts';
import { PostgresConnectionSchema } from './connection.ts';

export const postgres = defineSink({
  name: 'postgres',
  description: 'customers, merchants (latest version) and fraud labels into Postgres, upserted',
  connection: PostgresConnectionSchema,
  kinds: ['customers', 'merchants', 'labels'],
  byDefault: true,
  endpoint: (connection) => displayUrl(connection.url),
  probe: async (connection) => (await import('./landed.ts')).postgresVersion(connection),
  create: async ({ connection, routes, logger }) =>
    (await import('./sink.ts')).postgresSink(connection, { routes, logger }),
  landed: async (connection, topics, kinds) =>
    (await import('./landed.ts')).postgresLanded(connection, topics, kinds),
});
