/**
 * Versioned migrations with a migrations table, one runner for both databases. Applying is
 * idempotent: versions recorded in the table are skipped, and each statement is written so that
 * repeating it after a crash between statement and record is harmless.
 */
import { SynfinError } from '../errors.ts';

/**
 * A column added to a table; rendered per server version (18.16 has no ADD COLUMN IF NOT EXISTS).
 * With `orderBy`, the new column joins the table's sorting key in the same ALTER (the only way
 * ClickHouse lets a sorting key grow).
 */
export interface AddColumn {
  addColumn: { table: string; column: string; type: string; orderBy?: string };
}

export type Statement = string | AddColumn;

export interface Migration {
  version: number;
  name: string;
  statements: readonly Statement[];
}

/** What a database offers the runner. */
export interface MigrationTarget {
  readonly database: string;
  /** Creates the migrations table when missing and returns the versions it records. */
  appliedVersions(): Promise<Set<number>>;
  /** Applies one migration's statements and records it (in one transaction where the database can). */
  apply(migration: Migration): Promise<void>;
}

export interface MigrationResult {
  applied: number[];
  skipped: number[];
}

/** Applies the migrations not yet recorded, in version order, up to `upTo` when given. */
export async function migrate(
  target: MigrationTarget,
  migrations: readonly Migration[],
  upTo = Number.POSITIVE_INFINITY,
): Promise<MigrationResult> {
  const versions = migrations.map((m) => m.version);
  if (versions.some((v, i) => i > 0 && v <= (versions[i - 1] as number))) {
    throw new TypeError(`${target.database}: migration versions must increase: ${versions.join(', ')}`);
  }
  const done = await target.appliedVersions();
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    if (migration.version > upTo) break;
    if (done.has(migration.version)) {
      result.skipped.push(migration.version);
      continue;
    }
    try {
      await target.apply(migration);
    } catch (cause) {
      throw new SynfinError(
        'MIGRATION_FAILED',
        `${target.database}: migration ${migration.version} (${migration.name}) failed: ${String(cause)}`,
        { cause, retriable: true, details: { version: migration.version } },
      );
    }
    result.applied.push(migration.version);
  }
  return result;
}
