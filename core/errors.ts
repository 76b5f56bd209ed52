/**
 * The typed error catalogue. Every error the project raises on purpose is a SynfinError with a
 * stable `code`; the REST layer and the CLIs map codes to status codes / exit codes in one place.
 */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'CONFIG_FILE_UNREADABLE',
  'SERVICE_INSTALL_FAILED',
  'SERVICE_PORT_IN_USE',
  'SERVICE_START_FAILED',
  'SERVICE_START_TIMEOUT',
  'SERVICE_STOP_FAILED',
  'SCHEMA_INCOMPATIBLE',
  'SCHEMA_REGISTRY_UNAVAILABLE',
  'MESSAGE_DECODE_FAILED',
  'KAFKA_UNAVAILABLE',
  'TOPIC_MISSING',
  'TOPICS_NOT_COPARTITIONED',
  'STATE_RESTORE_FAILED',
  'STAGE_FAILED',
  'SINK_UNAVAILABLE',
  'SINK_ROW_REJECTED',
  'MIGRATION_FAILED',
  'UNAUTHORIZED',
  'RUN_NOT_FOUND',
  'RUN_STATE_CONFLICT',
  'RUN_QUOTA_EXCEEDED',
  'RUN_TOO_LARGE',
  'CONTROL_PLANE_UNAVAILABLE',
  'EVALUATION_NOT_POSSIBLE',
  'SHUTTING_DOWN',
  // The REST layer's own answers (control-plane/http/errors.ts, methods.ts, server.ts).
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'BODY_TOO_LARGE',
  'RATE_LIMITED',
  'BAD_REQUEST',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * The catalogue code of any error: a SynfinError's own, or a code it carries that is in the
 * catalogue (InvalidRecordError's), else `fallback`. Dead letters and logs name errors by this
 * one vocabulary, never by class names.
 */
export function errorCodeOf(error: unknown, fallback: ErrorCode): ErrorCode {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CODES.has(code) ? (code as ErrorCode) : fallback;
}

export interface SynfinErrorOptions {
  cause?: unknown;
  /** Whether repeating the same call may succeed (a broker restarting, a port freed). */
  retriable?: boolean;
  /** Machine-readable facts that go with the message (a field path, a log file). */
  details?: Record<string, unknown>;
}

export class SynfinError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SynfinErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SynfinError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }
}

/** One problem of a configuration: where it is and what is wrong there. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends SynfinError {
  readonly issues: readonly ConfigIssue[];

  constructor(source: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => `  ${issue.path || '/'}: ${issue.message}`).join('\n');
    super('CONFIG_INVALID', `invalid configuration (${source}):\n${lines}`, { details: { source, issues } });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** A native service of the local stack that could not be installed, started or stopped. */
export class ServiceError extends SynfinError {
  readonly service: string;
  readonly logFile: string | undefined;

  constructor(
    code: Extract<
      ErrorCode,
      | 'SERVICE_INSTALL_FAILED'
      | 'SERVICE_PORT_IN_USE'
      | 'SERVICE_START_FAILED'
      | 'SERVICE_START_TIMEOUT'
      | 'SERVICE_STOP_FAILED'
    >,
    service: string,
    message: string,
    options: SynfinErrorOptions & { logFile?: string } = {},
  ) {
    const where = options.logFile ? ` (log: ${options.logFile})` : '';
    // A failed tool's own words (its exit code and last output lines) are the reason; a user who
    // only sees "initdb failed" has to go and rerun it by hand to learn why.
    const reason = options.cause instanceof Error ? `:\n${options.cause.message}` : '';
    super(code, `${service}: ${message}${where}${reason}`, {
      ...options,
      details: { ...options.details, service, logFile: options.logFile },
    });
    this.name = 'ServiceError';
    this.service = service;
    this.logFile = options.logFile;
  }
}

export function isSynfinError(error: unknown): error is SynfinError {
  return error instanceof SynfinError;
}

/** Programming errors are never worth a retry: the same call fails the same way. */
export function isProgrammingError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError;
}

/**
 * The database refused the data itself (a value out of range, bytes it cannot store): retrying the
 * same rows cannot help, so the sink narrows the batch down to the row and dead-letters it.
 */
export class RowRejectedError extends SynfinError {
  constructor(sink: string, message: string, cause?: unknown) {
    super('SINK_ROW_REJECTED', `${sink}: ${message}`, { cause, details: { sink } });
    this.name = 'RowRejectedError';
  }
}
