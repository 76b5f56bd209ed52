/** Where the Postgres sink lands (and the control plane keeps its runs): the `postgres` section. */
import Type, { type Static } from 'typebox';

export const PostgresConnectionSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^postgres(ql)?://',
      default: 'postgres://synfin:synfin@127.0.0.1:15432/synfin',
    }),
    poolSize: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  },
  { additionalProperties: false, default: {} },
);

export type PostgresConnection = Static<typeof PostgresConnectionSchema>;
