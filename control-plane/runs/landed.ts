/**
 * What the databases hold of a run, counted there. A run resumed after a restart cannot rely on
 * its stages' counters (they start from zero), so it completes once the databases hold what its
 * producer wrote.
 */
import pg from 'pg';
import type { Config } from '../../core/config/schema.ts';
import { quoteString } from '../../sinks/clickhouse/dialect.ts';
import { clickhouseClient } from '../../sinks/clickhouse/sink.ts';
import type { RunPlan } from './spec.ts';

export type LandedCounter = (plan: RunPlan) => Promise<Record<string, number>>;

export function databaseLandedCounter(config: Config): LandedCounter {
  return async (plan) => {
    const landed: Record<string, number> = {};
    const sinks = plan.sinks?.sinks ?? [];
    if (sinks.includes('clickhouse')) {
      const client = clickhouseClient(config.clickhouse, config.clickhouse.database);
      try {
        const count = async (table: string, kind: string) => {
          const topic = plan.topics[kind];
          if (!topic) return;
          const result = await client.query({
            query: `SELECT count() AS n FROM ${table} WHERE kafka_topic = ${quoteString(topic)}`,
            format: 'JSONEachRow',
          });
          landed[`clickhouse.${kind}`] = Number((await result.json<{ n: string }>())[0]?.n ?? 0);
        };
        await count('transactions', 'transactions');
        await count('transaction_features', 'features');
      } finally {
        await client.close();
      }
    }
    if (sinks.includes('postgres')) {
      const client = new pg.Client({ connectionString: config.postgres.url });
      await client.connect();
      try {
        // Entities are keyed by id, and runs with the same seed share ids: count by the sink's
        // positions (offsets landed per partition), which the producer's counts equal.
        for (const kind of plan.sinks?.postgres.kinds ?? []) {
          const { rows } = await client.query<{ n: string | null }>(
            'SELECT sum(next_offset) AS n FROM sink_offsets WHERE topic = $1',
            [plan.topics[kind]],
          );
          landed[`postgres.${kind}`] = Number(rows[0]?.n ?? 0);
        }
      } finally {
        await client.end();
      }
    }
    return landed;
  };
}

/** Whether the databases hold everything the producer wrote (and, with processors, a feature row per purchase). */
export function allLanded(
  plan: RunPlan,
  produced: Record<string, number>,
  landed: Record<string, number>,
): boolean {
  const expected: [string, number][] = [];
  if (landed['clickhouse.transactions'] !== undefined) {
    expected.push(['clickhouse.transactions', produced.transactions ?? 0]);
    if (plan.processors) expected.push(['clickhouse.features', produced.transactions ?? 0]);
  }
  for (const key of Object.keys(landed))
    if (key.startsWith('postgres.')) expected.push([key, produced[key.slice('postgres.'.length)] ?? 0]);
  return expected.every(([key, n]) => (landed[key] ?? 0) >= n);
}
