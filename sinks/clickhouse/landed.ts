/**
 * What ClickHouse holds of a run: rows of the append-only tables per topic. Entity tables merge
 * rows by id in the background, so their counts are not what was produced; purchases and their
 * features are, and the producer writes entities before the purchases that name them.
 */
import type { LandedCounts } from '../descriptor.ts';
import { type RecordKind, TABLES } from '../tables.ts';
import type { ClickhouseConnection } from './connection.ts';
import { quoteString } from './dialect.ts';
import { clickhouseClient } from './sink.ts';

const COUNTED: readonly RecordKind[] = ['transactions', 'features'];

export async function clickhouseLanded(
  connection: Readonly<ClickhouseConnection>,
  topics: Readonly<Partial<Record<RecordKind, string>>>,
  kinds: readonly RecordKind[],
): Promise<LandedCounts> {
  const landed: LandedCounts = {};
  const client = clickhouseClient(connection, connection.database);
  try {
    for (const kind of COUNTED) {
      const topic = topics[kind];
      if (!topic || !kinds.includes(kind)) continue;
      const result = await client.query({
        query: `SELECT count() AS n FROM ${TABLES[kind]} WHERE kafka_topic = ${quoteString(topic)}`,
        format: 'JSONEachRow',
      });
      landed[kind] = Number((await result.json<{ n: string }>())[0]?.n ?? 0);
    }
  } finally {
    await client.close();
  }
  return landed;
}

/** The server's version, asked with a short timeout. */
export async function clickhouseVersion(connection: Readonly<ClickhouseConnection>): Promise<string> {
  const client = clickhouseClient(connection, undefined, 5000);
  try {
    const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
    const rows = await result.json<{ version: string }>();
    return `ClickHouse ${rows[0]?.version ?? 'unknown'}`;
  } finally {
    await client.close();
  }
}
