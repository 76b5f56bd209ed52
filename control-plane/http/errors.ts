/**
 * The one place error codes become HTTP statuses. Bodies carry the code, a message and the
 * request id — never a stack trace, a cause chain or a setting's value.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, errorCodeOf, isSynfinError } from '../../core/errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  CONFIG_INVALID: 400,
  UNAUTHORIZED: 401,
  RUN_NOT_FOUND: 404,
  RUN_STATE_CONFLICT: 409,
  RUN_TOO_LARGE: 422,
  EVALUATION_NOT_POSSIBLE: 422,
  RUN_QUOTA_EXCEEDED: 429,
  SHUTTING_DOWN: 503,
  KAFKA_UNAVAILABLE: 503,
  SCHEMA_REGISTRY_UNAVAILABLE: 503,
  SINK_UNAVAILABLE: 503,
};

/** Codes whose details are facts for the caller (a state, a quota's name and value), never settings. */
const DETAILED: Partial<Record<ErrorCode, true>> = {
  CONFIG_INVALID: true,
  RUN_STATE_CONFLICT: true,
  RUN_TOO_LARGE: true,
  EVALUATION_NOT_POSSIBLE: true,
  RUN_QUOTA_EXCEEDED: true,
};

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  requestId: string;
  details?: Record<string, unknown>;
}

export function errorBody(
  request: FastifyRequest,
  statusCode: number,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): ErrorBody {
  return { statusCode, code, message, requestId: String(request.id), ...(details ? { details } : {}) };
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const issues = fastifyError.validation.map((issue) => {
      const params = issue.params as { missingProperty?: string; additionalProperty?: string };
      // Name the field itself, also when it is missing or unknown.
      const field = params.missingProperty ?? params.additionalProperty;
      const path = `${fastifyError.validationContext ?? ''}${issue.instancePath || ''}${field ? `/${field}` : ''}`;
      const message =
        issue.keyword === 'required'
          ? 'is required'
          : issue.keyword === 'additionalProperties'
            ? 'is not a known field'
            : (issue.message ?? 'is invalid');
      return { path, message };
    });
    const message = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    void reply.status(400).send(errorBody(request, 400, 'VALIDATION_FAILED', message, { issues }));
    return;
  }
  if (isSynfinError(error)) {
    const status = STATUS[error.code] ?? 500;
    const details = DETAILED[error.code] ? error.details : undefined;
    // A run spec that fails the generator's own checks is the client's to fix: name its fields.
    const code = error.code === 'CONFIG_INVALID' ? 'VALIDATION_FAILED' : error.code;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send(errorBody(request, status, code, error.message, details));
    return;
  }
  const status = fastifyError.statusCode && fastifyError.statusCode < 500 ? fastifyError.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'unexpected error');
    void reply
      .status(500)
      .send(errorBody(request, 500, 'INTERNAL', 'internal error (see the server log for this request id)'));
    return;
  }
  void reply
    .status(status)
    .send(errorBody(request, status, clientErrorCode(fastifyError, status), error.message));
}

/** Fastify's and its plugins' own 4xx errors (FST_ERR_…) in the catalogue's words. */
function clientErrorCode(error: FastifyError, status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  return errorCodeOf(error, 'BAD_REQUEST');
}
