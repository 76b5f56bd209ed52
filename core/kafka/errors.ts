/**
 * What the client's errors mean to us: which protocol error a failure carries, whether repeating the
 * call can help, and how long to wait before the client's own retries.
 */
import { findErrorBy } from '@platformatic/kafka';

/** The Kafka protocol error name (e.g. 'COORDINATOR_LOAD_IN_PROGRESS') anywhere in the chain, if any. */
export function kafkaErrorId(error: unknown): string | undefined {
  return findApiId(error, 0);
}

function findApiId(error: unknown, depth: number): string | undefined {
  if (depth > 8 || !(error instanceof Error)) return undefined;
  const own = (error as { apiId?: unknown }).apiId;
  if (typeof own === 'string') return own;
  for (const nested of (error as { errors?: unknown[] }).errors ?? []) {
    const id = findApiId(nested, depth + 1);
    if (id) return id;
  }
  return findApiId((error as { cause?: unknown }).cause, depth + 1);
}

/** Errors that say the group moved on without us: our generation's work cannot be committed. */
const GROUP_MOVED_ON = new Set([
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'FENCED_INSTANCE_ID',
]);

export function isGroupMovedOn(error: unknown): boolean {
  const id = kafkaErrorId(error);
  return id !== undefined && GROUP_MOVED_ON.has(id);
}

/** Whether the client marked every error in the chain retriable (a broker starting, a leader moving). */
export function isRetriableKafkaError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ((error as { canRetry?: unknown }).canRetry === false) return false;
  return findErrorBy(error, 'canRetry', false) === null;
}

/**
 * The client's wait before its own retry of a request. A transaction begun right after the previous
 * one committed meets CONCURRENT_TRANSACTIONS until the markers are written — a few milliseconds —
 * so that one is retried at once, as Kafka's Java client does; everything else backs off.
 */
export function retryDelayMs(
  _client: unknown,
  _operation: string,
  attempt: number,
  _retries: number,
  error: Error,
): number {
  if (kafkaErrorId(error) === 'CONCURRENT_TRANSACTIONS') return 5 * attempt;
  return Math.min(1000, 50 * 2 ** Math.min(attempt, 5));
}
