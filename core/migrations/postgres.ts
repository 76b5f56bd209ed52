/**
 * The migration runner's target on Postgres, for each owner of a schema there (the Postgres sink,
 * the control plane): its own migrations table, its own advisory lock, so owners migrate apart and
 * instances of one owner starting together apply each migration once.
 */
import type pg from 'pg';
import type { MigrationTarget } from './runner.ts';

export interface PostgresMigrationOwner {
  /** Who the migrations are for, in messages (`postgres`, `control plane`). */
  database: string;
  /** The table recording applied versions. */
  table: string;
  /** Any constant, one per owner: the advisory lock serialising its migrations. */
  lock: number;
  /** Runs `work` in one transaction (the owner's own connection handling and error mapping). */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}

export function postgresMigrationTarget(owner: PostgresMigrationOwner): MigrationTarget {
  const { table, lock, transaction } = owner;
  return {
    database: owner.database,
    appliedVersions: () =>
      transaction(async (client) => {
        // Under the lock too: CREATE TABLE IF NOT EXISTS races itself in Postgres (two instances
        // starting together: "duplicate key value violates pg_type_typname_nsp_index").
        await client.query('SELECT pg_advisory_xact_lock($1)', [lock]);
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
          version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
        const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${table}`);
        return new Set(rows.map((r) => r.version));
      }),
    apply: (migration) =>
      transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [lock]);
        const { rowCount } = await client.query(`SELECT 1 FROM ${table} WHERE version = $1`, [
          migration.version,
        ]);
        if (rowCount) return;
        for (const statement of migration.statements) {
          if (typeof statement !== 'string') throw new TypeError('postgres migrations are plain SQL');
          await client.query(statement);
        }
        await client.query(`INSERT INTO ${table} (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
      }),
  };
}
