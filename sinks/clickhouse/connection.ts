/** Where the ClickHouse sink lands: the `clickhouse` section of the configuration. */
import Type, { type Static } from 'typebox';

export const ClickhouseConnectionSchema = Type.Object(
  {
    url: Type.String({ format: 'uri', default: 'http://127.0.0.1:18123' }),
    database: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', default: 'synfin' }),
    username: Type.String({ default: 'default' }),
    password: Type.String({ default: '' }),
  },
  { additionalProperties: false, default: {} },
);

export type ClickhouseConnection = Static<typeof ClickhouseConnectionSchema>;
