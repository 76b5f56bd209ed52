/**
 * Runs a stage on the consumer-group runtime with exactly-once v2 (KIP-447): one transactional
 * producer per stage instance, and one transaction — every assigned partition's outputs, changelog
 * records and input offsets, the offsets sent with the group's generation — every
 * `commitIntervalMs` or once `maxBatchBytes` of output is pending, not after every fetch. A zombie
 * is fenced by the group: its offsets carry a generation the coordinator no longer accepts.
 *
 * Crash-only: a failed commit stops the stage (its memory is ahead of Kafka), and a restart restores
 * from the changelog. A commit refused because the group has moved on (a rebalance) is aborted
 * instead, and every task is restored again at the assignment that follows.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Consumer } from '@platformatic/kafka';
import { SynfinError } from '../../core/errors.ts';
import type { Compression, KafkaClient, OutgoingMessage, PartitionOffset } from '../../core/kafka/client.ts';
import { isGroupMovedOn } from '../../core/kafka/errors.ts';
import { type FetchedBatch, recordAt } from '../../core/kafka/fetcher.ts';
import { GroupRuntime, partitionKey, type TopicPartition } from '../../core/kafka/group-runtime.ts';
import { type Logger, retryLog } from '../../core/logger.ts';
import { withRetry } from '../../core/retry.ts';
import { lookupGroup, transactionalId } from '../../core/run-topology.ts';
import type { ProcessorMetrics } from '../metrics.ts';
import { readChangelog, writeBarriers } from './restore.ts';
import type { InputRecord, StageTask, TaskOutput } from './task.ts';

export interface StageSpec {
  name: 'customer' | 'merchant';
  groupId: string;
  inputs: readonly string[];
  changelog: string;
  createTask(partition: number): StageTask;
  /** Decodes a value of an input topic; throws when it cannot. */
  decode(topic: string, value: Buffer | null): Promise<unknown>;
  /**
   * The same without a promise, for the hot loop: undefined while the value's schema has not been
   * looked up (decode() is used then). Throws as decode() does.
   */
  decodeKnown?(topic: string, value: Buffer | null): unknown;
}

export interface StageOptions {
  kafka: KafkaClient;
  logger: Logger;
  metrics: ProcessorMetrics;
  signal: AbortSignal;
  compression: Compression;
  maxBatchBytes: number;
  idleMs: number;
  commitIntervalMs: number;
  /** Names this instance's transactional producer; unique per running instance. */
  instanceId?: string;
  restoreTimeoutMs?: number;
}

/** Changelog keys of progress only: a commit of nothing but these, at unchanged offsets, is skipped. */
const isProgressKey = (key: string) => key === 'w' || key === 'p' || key.startsWith('p|');

export async function runStage(spec: StageSpec, options: StageOptions): Promise<void> {
  const { kafka, metrics, signal } = options;
  const log = options.logger.child({ stage: spec.name });
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}`;
  const producer = kafka.transactionalProducer(transactionalId(spec.groupId, instanceId));
  await producer.init();
  const tasks = new Map<number, StageTask>();
  /** Offsets last committed, per input partition: only those that moved are sent again. */
  const committedOffsets = new Map<string, number>();
  let pendingBytes = 0;
  let lastCommit = Date.now();
  /** Reads records back for the tasks' lookups, made at the first one. */
  let lookupClient: Consumer | undefined;
  /** The group moved on under a commit: until the next assignment, the tasks are ahead of Kafka. */
  let stale = false;

  const runtime = new GroupRuntime({
    kafka,
    groupId: spec.groupId,
    topics: spec.inputs,
    logger: log,
    signal,
    // Work is done on the thread the heartbeats run on: a longer session keeps a busy instance in
    // its group, and fetches are kept small so that no hand-off holds the thread for long.
    sessionTimeoutMs: 30_000,
    fetch: { partitionMaxBytes: 256 * 1024, maxBytes: 2 * 1024 * 1024 },
    tickMs: Math.max(20, Math.min(options.commitIntervalMs, Math.floor(options.idleMs / 2))),
    onLag: (topic, partition, lag) =>
      lag === null
        ? metrics.lag.remove({ stage: spec.name, topic, partition: String(partition) })
        : metrics.lag.set({ stage: spec.name, topic, partition: String(partition) }, lag),
  });

  async function restore(partitions: readonly number[]): Promise<void> {
    if (partitions.length === 0) return;
    const started = performance.now();
    const barriers = await writeBarriers(producer, spec.changelog, partitions);
    const restored = await readChangelog(kafka, spec.changelog, barriers, {
      timeoutMs: options.restoreTimeoutMs ?? 300_000,
    });
    for (const partition of partitions) {
      const task = spec.createTask(partition);
      const records = restored.get(partition) ?? [];
      task.restore(records);
      metrics.restoredRecords.inc({ stage: spec.name }, records.length);
      tasks.set(partition, task);
    }
    metrics.restoreSeconds.observe({ stage: spec.name }, (performance.now() - started) / 1000);
    log.info({ partitions, ms: Math.round(performance.now() - started) }, 'tasks restored');
  }

  /** Label joins and the like: the records the tasks read back before their output of this commit. */
  async function resolveLookups(): Promise<void> {
    for (const task of tasks.values()) {
      const wanted = task.lookups?.() ?? [];
      if (wanted.length === 0) continue;
      lookupClient ??= kafka.rawConsumer(lookupGroup(spec.groupId));
      const client = lookupClient;
      const values = await Promise.all(
        wanted.map(({ topic, partition, offset }) =>
          withRetry(async () => (await recordAt(client, topic, partition, offset))?.value ?? null),
        ),
      );
      task.resolve?.(values);
    }
  }

  /** Each task's changelog as messages, given where its records went (`placed`, in task order). */
  function changelogOf(
    outputs: readonly { task: StageTask; output: TaskOutput }[],
    placed: readonly number[],
    perTopic: Map<string, number>,
  ): { messages: OutgoingMessage[]; progressOnly: boolean } {
    const messages: OutgoingMessage[] = [];
    let progressOnly = true;
    let at = 0;
    for (const { task, output } of outputs) {
      const entries = task.takeChangelog(placed.slice(at, at + output.records.length));
      at += output.records.length;
      for (const entry of entries) {
        if (!isProgressKey(entry.key)) progressOnly = false;
        messages.push({
          topic: spec.changelog,
          partition: task.partition,
          key: entry.key,
          value: entry.value,
        });
      }
    }
    perTopic.set(spec.changelog, messages.length);
    return { messages, progressOnly };
  }

  async function commit(): Promise<void> {
    lastCommit = Date.now();
    pendingBytes = 0;
    if (stale || tasks.size === 0) return;
    try {
      await resolveLookups();
    } catch (error) {
      throw new SynfinError('STAGE_FAILED', `${spec.name}: reading records back failed: ${String(error)}`, {
        cause: error,
      });
    }
    const outputs = [...tasks.values()].map((task) => ({ task, output: task.takeOutput() }));
    const messages: OutgoingMessage[] = [];
    const offsets: PartitionOffset[] = [];
    const perTopic = new Map<string, number>();
    for (const { task, output } of outputs) {
      for (const record of output.records) {
        messages.push(record);
        perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + 1);
      }
      for (const { topic, offset } of output.offsets) {
        if (committedOffsets.get(partitionKey(topic, task.partition)) === offset) continue;
        offsets.push({ topic, partition: task.partition, offset });
      }
    }
    // With no record to place, the changelog is known before any transaction: a commit of
    // progress only, at unchanged offsets, is skipped.
    let changelog = messages.length === 0 ? changelogOf(outputs, [], perTopic) : undefined;
    if (changelog?.progressOnly && offsets.length === 0) return;
    const started = performance.now();
    const transaction = await producer.begin();
    try {
      // The records first: a changelog may name the offsets they were written at.
      const placed =
        messages.length > 0 ? await transaction.send(messages, { compression: options.compression }) : [];
      changelog ??= changelogOf(outputs, placed, perTopic);
      if (changelog.messages.length > 0)
        await transaction.send(changelog.messages, { compression: options.compression });
      await transaction.sendOffsets(runtime.group(), offsets);
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      if (isGroupMovedOn(error)) {
        // A rebalance under way: nothing of this transaction is visible; restore at the next assignment.
        log.info({ err: String(error) }, 'group moved on during a commit: tasks will be restored');
        stale = true;
        return;
      }
      throw new SynfinError('STAGE_FAILED', `${spec.name}: commit failed: ${String(error)}`, {
        cause: error,
      });
    }
    for (const offset of offsets)
      committedOffsets.set(partitionKey(offset.topic, offset.partition), offset.offset);
    runtime.committed(offsets);
    metrics.commitSeconds.observe({ stage: spec.name }, (performance.now() - started) / 1000);
    for (const [topic, count] of perTopic)
      if (count > 0) metrics.produced.inc({ stage: spec.name, topic }, count);
    for (const task of tasks.values()) {
      for (const [kind, size] of Object.entries(task.stateSize())) {
        metrics.stateEntries.set({ stage: spec.name, kind: `${kind}_p${task.partition}` }, size);
      }
    }
  }

  /** An input record as the tasks take it: where it came from, its bytes, what decoding gave. */
  function inputRecord(
    topic: string,
    partition: number,
    record: FetchedBatch['records'][number],
    decoded: InputRecord['decoded'],
  ): InputRecord {
    const key = record.key?.toString('utf8') ?? null;
    return { topic, partition, offset: record.offset, key, value: record.value, decoded };
  }

  /**
   * A record decoded without waiting, when its schema is known (most of them): no promise per
   * record. Undefined sends it through decode(), which looks schemas up and waits out a registry
   * that is down.
   */
  function decodeNow(
    topic: string,
    partition: number,
    record: FetchedBatch['records'][number],
  ): InputRecord | undefined {
    if (!spec.decodeKnown) return undefined;
    let value: unknown;
    try {
      value = spec.decodeKnown(topic, record.value);
    } catch (error) {
      if (error instanceof SynfinError && error.retriable) return undefined;
      return inputRecord(topic, partition, record, { ok: false, error: error as Error });
    }
    return value === undefined ? undefined : inputRecord(topic, partition, record, { ok: true, value });
  }

  async function decode(
    topic: string,
    partition: number,
    record: FetchedBatch['records'][number],
  ): Promise<InputRecord> {
    for (let attempt = 1; ; attempt++) {
      try {
        const value = await spec.decode(topic, record.value);
        return inputRecord(topic, partition, record, { ok: true, value });
      } catch (error) {
        // The registry being down is not the record's fault: wait for it rather than dead-letter.
        if (!(error instanceof SynfinError && error.retriable) || signal.aborted)
          return inputRecord(topic, partition, record, { ok: false, error: error as Error });
        retryLog(log, attempt)({ err: error.message, attempt }, 'schema lookup failed, retrying');
        await sleep(1000);
      }
    }
  }

  await runtime.run({
    async assigned(partitions: readonly TopicPartition[]) {
      const wanted = new Set(partitions.map((p) => p.partition));
      // A revoked task's work since its last commit is dropped: its new owner redoes it from the
      // committed offsets. What the kept tasks did is still ours to commit, in the new generation.
      for (const partition of tasks.keys()) if (!wanted.has(partition)) tasks.delete(partition);
      await commit();
      if (stale) {
        tasks.clear();
        stale = false;
      }
      committedOffsets.clear();
      await restore([...wanted].filter((partition) => !tasks.has(partition)));
      return undefined;
    },
    async records(batches) {
      if (stale) return;
      const now = Date.now();
      for (const batch of batches) {
        const task = tasks.get(batch.partition);
        if (!task || batch.records.length === 0) continue;
        const records: InputRecord[] = new Array(batch.records.length);
        for (let i = 0; i < batch.records.length; i++) {
          const record = batch.records[i] as FetchedBatch['records'][number];
          records[i] =
            decodeNow(batch.topic, batch.partition, record) ??
            (await decode(batch.topic, batch.partition, record));
        }
        metrics.consumed.inc({ stage: spec.name, topic: batch.topic }, records.length);
        task.process(records, now);
        for (const record of batch.records) pendingBytes += (record.value?.length ?? 0) + 64;
        // Between partitions, let timers and I/O run (heartbeats, fetch responses).
        await yieldToEventLoop();
      }
      if (pendingBytes >= options.maxBatchBytes) await commit();
    },
    async tick(now) {
      if (stale) return;
      for (const task of tasks.values()) {
        task.tick(now, (topic) => runtime.caughtUp(topic, task.partition));
      }
      if (now - lastCommit >= options.commitIntervalMs) await commit();
    },
    async close() {
      try {
        // After a failure nothing more is committed: memory may be ahead of what Kafka holds.
        if (!runtime.failed)
          await commit().catch((error: unknown) => log.warn({ err: String(error) }, 'final commit failed'));
      } finally {
        await producer.close().catch(() => undefined);
        await lookupClient?.close(true).catch(() => undefined);
      }
    },
  });
}
