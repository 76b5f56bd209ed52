/**
 * Runs a stage as a Kafka consumer group. Each assigned partition is a task with its own
 * transactional producer (transactional id = group + partition, the pre-KIP-447 way: kafkajs sends
 * no group metadata with transactional offsets, so fencing has to come from the id). After every
 * batch — and on the idle timer — the task's outputs, changelog and input offsets are committed
 * in one transaction; a failed commit stops the stage (crash-only: a restart restores from the
 * changelog, and nothing half-done was visible to read_committed consumers).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SynfinError } from '../../core/errors.ts';
import {
  type Compression,
  compressionType,
  type KafkaClient,
  type Producer,
} from '../../core/kafka/client.ts';
import type { Logger } from '../../core/logger.ts';
import { untilStopped } from '../../core/stage-process.ts';
import type { ProcessorMetrics } from '../metrics.ts';
import { readChangelog, writeBarrier } from './restore.ts';
import type { InputRecord, StageTask, TaskOutput } from './task.ts';

export interface StageSpec {
  name: 'customer' | 'merchant';
  groupId: string;
  inputs: readonly string[];
  changelog: string;
  createTask(partition: number): StageTask;
  /** Decodes a value of an input topic; throws when it cannot. */
  decode(topic: string, value: Buffer | null): Promise<unknown>;
}

export interface StageOptions {
  kafka: KafkaClient;
  logger: Logger;
  metrics: ProcessorMetrics;
  signal: AbortSignal;
  compression: Compression;
  maxBatchBytes: number;
  idleMs: number;
  restoreTimeoutMs?: number;
}

interface TaskHandle {
  partition: number;
  producer: Producer;
  task?: StageTask;
  ready: Promise<void>;
  /** Serializes batches and timer ticks on the task and its producer. */
  lock: Promise<unknown>;
  /** Per input topic: last offset seen and the partition's high watermark at that batch. */
  seen: Map<string, { last: number; high: number }>;
  lastOffsets: string;
  closed: boolean;
}

type OutMessage = {
  key: string | null;
  value: Buffer | string | null;
  partition: number;
  headers?: Record<string, string>;
};

/** Bytes per produce request: a partition's record batch must stay under the broker's message.max.bytes (1 MiB by default). */
const REQUEST_BYTES = 512 * 1024;

/** Splits the messages of a commit into produce requests of bounded size (all in one transaction). */
function* chunks(byTopic: Map<string, OutMessage[]>): Generator<{ topic: string; messages: OutMessage[] }[]> {
  let request: { topic: string; messages: OutMessage[] }[] = [];
  let bytes = 0;
  for (const [topic, messages] of byTopic) {
    let current: OutMessage[] = [];
    request.push({ topic, messages: current });
    for (const message of messages) {
      const size = (message.key?.length ?? 0) + (message.value?.length ?? 0) + 64;
      if (bytes + size > REQUEST_BYTES && bytes > 0) {
        yield request;
        current = [];
        request = [{ topic, messages: current }];
        bytes = 0;
      }
      current.push(message);
      bytes += size;
    }
  }
  if (bytes > 0) yield request.filter((entry) => entry.messages.length > 0);
}

export async function runStage(spec: StageSpec, options: StageOptions): Promise<void> {
  const { kafka, metrics, signal } = options;
  const log = options.logger.child({ stage: spec.name });
  const handles = new Map<number, TaskHandle>();
  const consumer = kafka.consumer({
    groupId: spec.groupId,
    readUncommitted: false,
    maxBytesPerPartition: options.maxBatchBytes,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
  });
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
  };

  function withLock<T>(handle: TaskHandle, work: () => Promise<T>): Promise<T> {
    const next = handle.lock.then(work);
    handle.lock = next.catch(() => undefined);
    return next;
  }

  async function openTasks(partitions: number[]): Promise<void> {
    const started = performance.now();
    const barriers = new Map<number, string>();
    for (const partition of partitions) {
      const handle = handles.get(partition) as TaskHandle;
      await handle.producer.connect();
      barriers.set(partition, await writeBarrier(handle.producer, spec.changelog, partition));
    }
    const restored = await readChangelog(kafka, spec.changelog, barriers, {
      groupPrefix: spec.groupId,
      timeoutMs: options.restoreTimeoutMs ?? 300_000,
    });
    for (const partition of partitions) {
      const handle = handles.get(partition) as TaskHandle;
      const task = spec.createTask(partition);
      const records = restored.get(partition) ?? [];
      task.restore(records);
      metrics.restoredRecords.inc({ stage: spec.name }, records.length);
      handle.task = task;
    }
    metrics.restoreSeconds.observe({ stage: spec.name }, (performance.now() - started) / 1000);
    log.info({ partitions, ms: Math.round(performance.now() - started) }, 'tasks restored');
  }

  function assign(partitions: number[]): void {
    for (const [partition, handle] of handles) {
      if (partitions.includes(partition)) continue;
      handles.delete(partition);
      handle.closed = true;
      void withLock(handle, () => handle.producer.disconnect()).catch(() => undefined);
    }
    const added = partitions.filter((partition) => !handles.has(partition));
    if (added.length === 0) return;
    let resolveReady: () => void = () => undefined;
    let rejectReady: (error: unknown) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    ready.catch(() => undefined);
    for (const partition of added) {
      handles.set(partition, {
        partition,
        producer: kafka.producer({
          transactionalId: `${spec.groupId}-${partition}`,
          idempotent: true,
          maxInFlightRequests: 1,
          transactionTimeout: 60_000,
        }),
        ready,
        lock: ready,
        seen: new Map(),
        lastOffsets: '',
        closed: false,
      });
    }
    openTasks(added).then(resolveReady, (error) => {
      fail(error);
      rejectReady(error);
    });
  }

  async function commit(handle: TaskHandle, output: TaskOutput): Promise<void> {
    const offsetsKey = JSON.stringify(output.offsets);
    const stateOnly = output.changelog.every((r) => r.key === 'w' || r.key === 'p' || r.key.startsWith('p|'));
    if (output.records.length === 0 && stateOnly && offsetsKey === handle.lastOffsets) return;
    const started = performance.now();
    const byTopic = new Map<string, OutMessage[]>();
    const add = (topic: string, message: OutMessage) => {
      const list = byTopic.get(topic);
      if (list) list.push(message);
      else byTopic.set(topic, [message]);
    };
    for (const record of output.records) add(record.topic, record);
    for (const record of output.changelog)
      add(spec.changelog, { key: record.key, value: record.value, partition: handle.partition });
    const transaction = await handle.producer.transaction();
    try {
      for (const topicMessages of chunks(byTopic)) {
        await transaction.sendBatch({ compression: compressionType(options.compression), topicMessages });
      }
      if (output.offsets.length > 0) {
        await transaction.sendOffsets({
          consumerGroupId: spec.groupId,
          topics: output.offsets.map(({ topic, offset }) => ({
            topic,
            partitions: [{ partition: handle.partition, offset: String(offset) }],
          })),
        });
      }
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw new SynfinError(
        'STAGE_FAILED',
        `${spec.name} task ${handle.partition}: commit failed: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
    handle.lastOffsets = offsetsKey;
    metrics.commitSeconds.observe({ stage: spec.name }, (performance.now() - started) / 1000);
    for (const [topic, messages] of byTopic)
      metrics.produced.inc({ stage: spec.name, topic }, messages.length);
    for (const [kind, size] of Object.entries((handle.task as StageTask).stateSize())) {
      metrics.stateEntries.set({ stage: spec.name, kind: `${kind}_p${handle.partition}` }, size);
    }
  }

  async function decode(
    topic: string,
    message: { offset: string; key: Buffer | null; value: Buffer | null },
    partition: number,
  ): Promise<InputRecord> {
    const base = {
      topic,
      partition,
      offset: Number(message.offset),
      key: message.key?.toString('utf8') ?? null,
      value: message.value,
    };
    for (;;) {
      try {
        return { ...base, decoded: { ok: true, value: await spec.decode(topic, message.value) } };
      } catch (error) {
        // The registry being down is not the record's fault: wait for it rather than dead-letter.
        if (!(error instanceof SynfinError && error.retriable) || signal.aborted) {
          return { ...base, decoded: { ok: false, error: error as Error } };
        }
        log.warn({ err: error.message }, 'schema lookup failed, retrying');
        await sleep(1000);
      }
    }
  }

  /** Whether a task's input partition has nothing more to read right now. */
  async function caughtUpChecker(handle: TaskHandle): Promise<(topic: string) => boolean> {
    const unseen = spec.inputs.filter((topic) => !handle.seen.has(topic));
    const empty = new Set<string>();
    for (const topic of unseen) {
      const [ends, committed] = await Promise.all([
        kafka.topicOffsets(topic),
        kafka.groupOffsets(spec.groupId, topic),
      ]);
      const end = ends.get(handle.partition);
      const position = Number(committed.get(handle.partition) ?? '-1');
      if (end && end.high <= Math.max(position, end.low)) empty.add(topic);
    }
    return (topic) => {
      const seen = handle.seen.get(topic);
      return seen ? seen.last + 1 >= seen.high : empty.has(topic);
    };
  }

  const ticker = setInterval(
    () => {
      for (const handle of handles.values()) {
        if (!handle.task || handle.closed) continue;
        void withLock(handle, async () => {
          if (handle.closed || !handle.task) return;
          const caughtUp = await caughtUpChecker(handle);
          handle.task.tick(Date.now(), caughtUp);
          await commit(handle, handle.task.takeOutput());
        }).catch(fail);
      }
    },
    Math.max(100, Math.floor(options.idleMs / 2)),
  );

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assignment = event.payload.memberAssignment as Record<string, number[]>;
    const partitions = [...new Set(Object.values(assignment).flat())].sort((a, b) => a - b);
    log.info({ partitions }, 'partitions assigned');
    assign(partitions);
  });
  // After every batch, including those holding only transaction markers, which kafkajs consumes
  // without calling eachBatch: a transactional input ends in a marker, not in a record.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    metrics.lag.set(
      { stage: spec.name, topic: payload.topic, partition: String(payload.partition) },
      Math.max(0, Number(payload.offsetLag)),
    );
  });
  // kafkajs restarts the consumer itself after a retriable crash (a coordinator still loading
  // right after a broker start); the rejoin that follows resyncs. Only a final crash stops us.
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) fail(event.payload.error);
  });

  await consumer.connect();
  try {
    for (const topic of spec.inputs) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        if (failure !== undefined) return;
        const handle = handles.get(batch.partition);
        if (!handle)
          throw new SynfinError(
            'STAGE_FAILED',
            `${spec.name}: batch for unassigned partition ${batch.partition}`,
          );
        while (!handle.task) {
          await Promise.race([handle.ready, sleep(3000)]);
          await heartbeat();
        }
        if (!isRunning() || isStale() || handle.closed) return;
        const records = await Promise.all(
          batch.messages.map((message) => decode(batch.topic, message, batch.partition)),
        );
        metrics.consumed.inc({ stage: spec.name, topic: batch.topic }, records.length);
        const last = batch.messages.at(-1);
        await withLock(handle, async () => {
          const task = handle.task as StageTask;
          task.process(records, Date.now());
          // Only once the task holds these records: a tick between fetch and process would
          // otherwise judge the input caught up and idle while its records wait for the lock.
          if (last)
            handle.seen.set(batch.topic, { last: Number(last.offset), high: Number(batch.highWatermark) });
          await commit(handle, task.takeOutput());
        }).catch((error: unknown) => {
          // The task's memory is now ahead of what Kafka holds: stop, and restore on restart.
          fail(error);
        });
        await heartbeat();
      },
    });
    await untilStopped(signal, () => failure !== undefined);
  } finally {
    clearInterval(ticker);
    await consumer.disconnect().catch(() => undefined);
    for (const handle of handles.values()) {
      handle.closed = true;
      await handle.lock;
      await handle.producer.disconnect().catch(() => undefined);
    }
  }
  if (failure !== undefined) throw failure;
}
