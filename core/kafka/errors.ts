/**
 * What the client's errors mean to us: which protocol error a failure carries, whether repeating the
 * call can help, and how long to wait before the client's own retries.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { findErrorBy } from '@platformatic/kafka';

/** How long a transaction may stay open: the broker aborts it after this (the client's `timeout`). */
export const TRANSACTION_TIMEOUT_MS = 60_000;

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

/**
 * A transactional request (InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn) refused with
 * CONCURRENT_TRANSACTIONS is asked again until the transaction timeout, as Kafka's Java client does:
 * the coordinator is still writing the previous transaction's markers, which takes as long as the
 * broker is busy. The client's own ten quick retries (retryDelayMs) cover ~0.3 s, and a stage that
 * runs out fails its commit: the scale-out test on this machine, beside three busy cores, was seen
 * to use all ten. Each of these requests is refused before it changes anything, so asking again is
 * safe (a refused AddPartitionsToTxn sends no record: the client adds partitions before it produces).
 */
export async function afterPreviousTransaction<T>(request: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + TRANSACTION_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (kafkaErrorId(error) !== 'CONCURRENT_TRANSACTIONS' || Date.now() >= deadline) throw error;
      await sleep(Math.min(100, 10 * attempt));
    }
  }
}
