/**
 * The control plane's own tables in Postgres (runs, their drift manifests), versioned apart from
 * the sinks' in `control_plane_migrations`. Released migrations are never edited. Databases where
 * the Postgres sink once created these tables (its migrations 1, 3 and 6 did) take them as they
 * are: every statement is written to be harmless there.
 */
import type pg from 'pg';
import type { Logger } from '../../core/logger.ts';
import { postgresMigrationTarget } from '../../core/migrations/postgres.ts';
import { type Migration, migrate } from '../../core/migrations/runner.ts';
import { inTransaction } from '../../core/postgres-transaction.ts';

export const controlPlaneMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'runs',
    statements: [
      `CREATE TABLE IF NOT EXISTS runs (
    id text PRIMARY KEY,
    name text NOT NULL,
    state text NOT NULL,
    config jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    ended_at timestamptz,
    error text,
    stats jsonb NOT NULL DEFAULT '{}'::jsonb
  )`,
      'CREATE INDEX IF NOT EXISTS runs_state ON runs (state, created_at)',
      // The API key that started each run (per-key quotas).
      'ALTER TABLE runs ADD COLUMN IF NOT EXISTS owner text',
    ],
  },
  {
    version: 2,
    name: 'drift manifests of runs',
    statements: [
      // The true change points of each run's drift schedule (producers/drift/manifest.ts), kept
      // with the run and removed with it.
      `CREATE TABLE IF NOT EXISTS drift_changes (
    run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq integer NOT NULL,
    kind text NOT NULL,
    subject text NOT NULL,
    start_day integer NOT NULL,
    end_day integer NOT NULL,
    start_time timestamptz NOT NULL,
    end_time timestamptz NOT NULL,
    from_value double precision,
    to_value double precision,
    params jsonb,
    description text NOT NULL,
    PRIMARY KEY (run_id, seq)
  )`,
    ],
  },
];

/** Any constant, not the sink's: the advisory lock serialising the control plane's migrations. */
const MIGRATION_LOCK = 7_231_842_002;

/** Applies the control plane's migrations not yet recorded. */
export async function migrateControlPlane(pool: pg.Pool, logger: Logger): Promise<void> {
  const result = await migrate(
    postgresMigrationTarget({
      database: 'control plane',
      table: 'control_plane_migrations',
      lock: MIGRATION_LOCK,
      transaction: (work) => inTransaction(pool, work),
    }),
    controlPlaneMigrations,
  );
  logger.info(result, 'control plane tables ready');
}
