/**
 * Which ClickHouse failures are about the rows themselves. Only these dead-letter rows; anything
 * else — the server down, overloaded, or a table missing because migrations have not run — is
 * retried, since sending good rows to the dead-letter table would lose them for the user.
 */
import { RowRejectedError, SynfinError } from '../../core/errors.ts';

const ROW_ERRORS = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
]);

/** The server's error code when it answered with an exception, else undefined. */
export function serverErrorCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  const type = (error as { type?: unknown }).type;
  if (typeof code === 'string' && /^\d+$/.test(code) && type !== undefined) return Number(code);
  // 18.16 does not send the X-ClickHouse-Exception-Code header; the code is in the message.
  const match = /Code: (\d+)/.exec(error instanceof Error ? error.message : '');
  return match ? Number(match[1]) : undefined;
}

export function classifyInsertError(error: unknown, table: string): Error {
  const code = serverErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && ROW_ERRORS.has(code)) {
    return new RowRejectedError('clickhouse', `${table}: ${message.split('\n')[0]}`, error);
  }
  return new SynfinError('SINK_UNAVAILABLE', `clickhouse: insert into ${table} failed: ${message}`, {
    cause: error,
    retriable: true,
  });
}
