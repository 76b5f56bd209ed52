/**
 * What Postgres holds of a run. Entities are keyed by id and runs with the same seed share ids, so
 * rows are not counted: the sink's positions (offsets landed per partition of the run's own
 * topics, which hold no transaction markers) equal the producer's counts.
 */
import pg from 'pg';
import type { LandedCounts } from '../descriptor.ts';
import type { RecordKind } from '../tables.ts';
import type { PostgresConnection } from './connection.ts';

export async function postgresLanded(
  connection: PostgresConnection,
  topics: Readonly<Partial<Record<RecordKind, string>>>,
  kinds: readonly RecordKind[],
): Promise<LandedCounts> {
  const landed: LandedCounts = {};
  const client = new pg.Client({ connectionString: connection.url });
  await client.connect();
  try {
    for (const kind of kinds) {
      const topic = topics[kind];
      if (!topic) continue;
      const { rows } = await client.query<{ n: string | null }>(
        'SELECT sum(next_offset) AS n FROM sink_offsets WHERE topic = $1',
        [topic],
      );
      landed[kind] = Number(rows[0]?.n ?? 0);
    }
  } finally {
    await client.end();
  }
  return landed;
}

export async function postgresVersion(connection: PostgresConnection): Promise<string> {
  const client = new pg.Client({ connectionString: connection.url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${result.rows[0]?.server_version ?? 'unknown'}`;
  } finally {
    await client.end();
  }
}
