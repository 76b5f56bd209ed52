/** The files sink's descriptor: every kind of record as Parquet or JSON lines per topic and hour. */
import { defineSink } from '../descriptor.ts';
import { RECORD_KINDS } from '../tables.ts';
import { FilesConnectionSchema } from './connection.ts';

export const files = defineSink({
  name: 'files',
  description: 'every topic as Parquet (or JSON lines) files per topic and hour, for data lakes',
  connection: FilesConnectionSchema,
  kinds: RECORD_KINDS,
  byDefault: false,
  endpoint: (connection) => connection.dir,
  probe: async (connection) => (await import('./landed.ts')).filesProbe(connection),
  create: async ({ connection, routes, logger }) =>
    (await import('./sink.ts')).filesSink(connection, { routes, logger }),
  landed: async (connection, topics, kinds) =>
    (await import('./landed.ts')).filesLanded(connection, topics, kinds),
});
