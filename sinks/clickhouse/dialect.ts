/**
 * Where ClickHouse 18.16 and current releases need different SQL. Everything else the project
 * issues is written once, in the subset both accept.
 */
import type { AddColumn } from '../../core/migrations/runner.ts';

export interface ServerVersion {
  major: number;
  minor: number;
  text: string;
}

export function parseVersion(text: string): ServerVersion {
  const match = /^(\d+)\.(\d+)/.exec(text.trim());
  if (!match) throw new TypeError(`not a ClickHouse version: ${JSON.stringify(text)}`);
  return { major: Number(match[1]), minor: Number(match[2]), text: text.trim() };
}

/** ADD COLUMN IF NOT EXISTS arrived in 19.x; from 20.1 on we rely on it. */
function hasAddColumnIfNotExists(version: ServerVersion): boolean {
  return version.major >= 20;
}

export interface AddColumnPlan {
  /** A query returning a row when the column already exists (run first, skip when it does). */
  existsQuery?: string;
  statement: string;
}

/** A ClickHouse string literal (18.16 has no query parameters). */
export const quoteString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function addColumnPlan(version: ServerVersion, { addColumn }: AddColumn): AddColumnPlan {
  const { table, column, type, orderBy } = addColumn;
  // A sorting key may only take a column added in the same ALTER, so IF NOT EXISTS cannot make
  // that one idempotent: it is asked first, on every version.
  if (hasAddColumnIfNotExists(version) && orderBy === undefined) {
    return { statement: `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} ${type}` };
  }
  return {
    existsQuery: `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ${quoteString(table)} AND name = ${quoteString(column)}`,
    statement: `ALTER TABLE ${table} ADD COLUMN ${column} ${type}${orderBy ? `, MODIFY ORDER BY (${orderBy})` : ''}`,
  };
}
