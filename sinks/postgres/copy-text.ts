/** Postgres COPY text format: one line per row, tab-separated, `\N` for NULL, backslash escapes. */
import { type Column, epochMillis, isoDate } from '../columns.ts';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function escapeText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] as string) : value;
}

/** An array literal: `{"a","b\"c"}`, its elements quoted and escaped for the array parser. */
function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((v) =>
    v === null ? 'NULL' : `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`,
  );
  return `{${items.join(',')}}`;
}

export function copyField(column: Column, value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (column.kind) {
    case 'timestamp': {
      const ms = epochMillis(value);
      return ms === null ? '\\N' : new Date(ms).toISOString();
    }
    case 'date':
      return isoDate(value) ?? '\\N';
    case 'boolean':
      return value ? 't' : 'f';
    case 'strings':
      return escapeText(arrayLiteral(value as unknown[]));
    case 'string':
      return escapeText(String(value));
    default:
      return String(value);
  }
}
