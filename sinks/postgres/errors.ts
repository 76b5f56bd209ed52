/**
 * Which Postgres failures are about the rows themselves: SQLSTATE classes 22 (data exception, e.g.
 * a NUL byte in text) and 23 (integrity constraint). Everything else — connection lost, server
 * shutting down, a missing table — is retried rather than dead-lettering good rows.
 */
import { isProgrammingError, RowRejectedError, SynfinError } from '../../core/errors.ts';

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function classifyWriteError(error: unknown): Error {
  if (isProgrammingError(error)) return error as Error;
  const state = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  if (state?.startsWith('22') || state?.startsWith('23')) {
    return new RowRejectedError('postgres', `${state}: ${message}`, error);
  }
  return new SynfinError('SINK_UNAVAILABLE', `postgres: write failed: ${state ?? ''} ${message}`.trim(), {
    cause: error,
    retriable: true,
  });
}
