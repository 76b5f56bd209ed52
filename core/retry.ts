import pRetry, { AbortError } from 'p-retry';
import { isProgrammingError, isSynfinError } from './errors.ts';

export interface RetryPolicy {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

/** The one retry policy: exponential backoff with jitter. Tests pass `fastRetry`. */
export const defaultRetry: RetryPolicy = { retries: 8, minTimeoutMs: 200, maxTimeoutMs: 10_000 };
export const fastRetry: RetryPolicy = { retries: 3, minTimeoutMs: 10, maxTimeoutMs: 50 };

/**
 * Runs `operation` until it succeeds or the policy gives up. Programming errors and SynfinErrors
 * marked not retriable fail at once: repeating them cannot help.
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy = defaultRetry,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<T> {
  return pRetry(
    async (attempt) => {
      try {
        return await operation(attempt);
      } catch (error) {
        if (isProgrammingError(error) || (isSynfinError(error) && !error.retriable)) {
          throw new AbortError(error instanceof Error ? error : String(error));
        }
        throw error;
      }
    },
    {
      retries: policy.retries,
      minTimeout: policy.minTimeoutMs,
      maxTimeout: policy.maxTimeoutMs,
      randomize: true,
      onFailedAttempt: ({ error, attemptNumber }) => onRetry?.(error, attemptNumber),
    },
  );
}
