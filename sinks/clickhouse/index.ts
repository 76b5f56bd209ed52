/** The ClickHouse sink's descriptor: every kind of record, into MergeTree tables and hourly views. */
import { defineSink } from '../descriptor.ts';
import { RECORD_KINDS } from '../tables.ts';
import { ClickhouseConnectionSchema } from './connection.ts';

export const clickhouse = defineSink({
  name: 'clickhouse',
  description: 'every topic into ClickHouse tables, with hourly aggregates and training-set views',
  connection: ClickhouseConnectionSchema,
  kinds: RECORD_KINDS,
  byDefault: true,
  endpoint: (connection) => connection.url,
  probe: async (connection) => (await import('./landed.ts')).clickhouseVersion(connection),
  create: async ({ connection, routes, logger }) =>
    (await import('./sink.ts')).clickhouseSink(connection, { routes, logger }),
  landed: async (connection, topics, kinds) =>
    (await import('./landed.ts')).clickhouseLanded(connection, topics, kinds),
});
