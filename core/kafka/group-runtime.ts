/**
 * The one consumer-group runtime the processors and the sinks run on. It keeps the group
 * membership (heartbeats run in the client, apart from the work), reads the assigned partitions
 * with a PartitionFetcher and hands everything to a handler strictly one call at a time: an
 * assignment, a fetch's batches, a timer tick. It knows per partition how far the handler has
 * committed and where the committed end is, so lag is what is still unprocessed. Retriable broker
 * errors (a coordinator loading, a topic just created, a leader moving) are retried; the first
 * other failure latches and stops the run, which then rejects with it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer } from '@platformatic/kafka';
import { SynfinError } from '../errors.ts';
import { type Logger, retryLog } from '../logger.ts';
import type { GroupMetadata, KafkaClient, PartitionOffset } from './client.ts';
import { type FetchedBatch, PartitionFetcher, partitionKey } from './fetcher.ts';
import { PartitionProgress } from './partition-progress.ts';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface GroupHandler {
  /**
   * The group's assignment, at the first join and after every rebalance. Returns the offsets to
   * start from where the handler knows better than the group's committed offsets (a sink's
   * database); the others start at the committed offset, or at the beginning.
   */
  assigned(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, number> | undefined>;
  /** One fetch's batches (per partition in offset order; a batch may hold no records). */
  records(batches: readonly FetchedBatch[]): Promise<void> | void;
  /** Wall-clock progress, every `tickMs`, between the other calls. */
  tick?(nowMs: number): Promise<void> | void;
  /** The run is ending (stopped or failed): finish or give up what is in hand. */
  close(): Promise<void>;
}

export interface GroupRuntimeOptions {
  kafka: KafkaClient;
  groupId: string;
  topics: readonly string[];
  logger: Logger;
  signal: AbortSignal;
  sessionTimeoutMs?: number;
  tickMs?: number;
  fetch?: { maxWaitMs?: number; partitionMaxBytes?: number; maxBytes?: number };
  /**
   * Unprocessed records per partition: committed end minus the handler's committed position; null
   * once the partition is no longer this member's (another reports it now: drop the series, or a
   * sum over members would keep the last value forever).
   */
  onLag?(topic: string, partition: number, lag: number | null): void;
  /** How long the group may stay unreachable before the run fails. */
  membershipDeadlineMs?: number;
}

export { partitionKey };

interface JoinEvent {
  generationId?: number;
  memberId?: string;
  assignments?: { topic: string; partitions: number[] }[];
}

export class GroupRuntime {
  private readonly options: GroupRuntimeOptions;
  private readonly membership: Consumer;
  private readonly fetchClient: Consumer;
  private readonly fetcher: PartitionFetcher;
  private readonly progress = new PartitionProgress();
  private generation = { groupId: '', generationId: -1, memberId: '' };
  private queue: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private stopped = false;
  private readonly log: Logger;

  constructor(options: GroupRuntimeOptions) {
    this.options = options;
    this.log = options.logger;
    const { kafka, groupId } = options;
    this.membership = kafka.rawConsumer(groupId, { sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000 });
    for (const topic of options.topics) this.membership.topics.track(topic);
    // Fetches long-poll on connections of their own, so heartbeats and commits never wait behind them.
    this.fetchClient = kafka.rawConsumer(groupId);
    this.fetcher = new PartitionFetcher(this.fetchClient, options.topics, {
      maxWaitMs: options.fetch?.maxWaitMs ?? 100,
      partitionMaxBytes: options.fetch?.partitionMaxBytes ?? 1024 * 1024,
      maxBytes: options.fetch?.maxBytes ?? 16 * 1024 * 1024,
      onError: (error, attempt) =>
        retryLog(this.log, attempt)({ err: String(error), attempt }, 'fetch failed, retrying'),
    });
  }

  /**
   * The group as the handler last heard of it, for committing offsets in a transaction: work done
   * for an assignment is committed with that assignment's generation, so once the group has moved
   * on the coordinator refuses it rather than let a former owner overwrite a new owner's offsets.
   */
  group(): GroupMetadata {
    return { ...this.generation, coordinatorId: this.membership.coordinatorId ?? -1 };
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** The handler has made everything below `offset` durable; lag is measured from here. */
  committed(offsets: readonly PartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      this.progress.committed(topic, partition, offset);
      this.reportLag(topic, partition);
    }
  }

  /** Records the group's committed offsets outside any transaction (for tooling and lag). */
  async commitOffsets(offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.membership.commit({
      offsets: offsets.map(({ topic, partition, offset }) => ({
        topic,
        partition,
        offset: BigInt(offset),
        leaderEpoch: -1,
      })),
    });
  }

  /** Whether everything of the partition up to its committed end has been handed to the handler. */
  caughtUp(topic: string, partition: number): boolean {
    return this.progress.caughtUp(topic, partition);
  }

  /** Stops the run with this error (the first one wins). */
  fail(error: unknown): void {
    this.failure ??= error;
    this.fetcher.stop();
  }

  private reportLag(topic: string, partition: number): void {
    const lag = this.progress.lag(topic, partition);
    if (lag !== undefined) this.options.onLag?.(topic, partition, lag);
  }

  /** Runs `work` after everything queued before it: the handler never sees two calls at once. */
  private serial<T>(work: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async startOffsets(
    partitions: readonly TopicPartition[],
    known: ReadonlyMap<string, number> | undefined,
  ): Promise<{ topic: string; partition: number; offset: number }[]> {
    const { kafka, groupId } = this.options;
    const result: { topic: string; partition: number; offset: number }[] = [];
    const topics = [...new Set(partitions.map((p) => p.topic))];
    for (const topic of topics) {
      const mine = partitions.filter((p) => p.topic === topic);
      const unknown = mine.filter((p) => known?.get(partitionKey(topic, p.partition)) === undefined);
      const [committed, bounds] =
        unknown.length === 0
          ? [new Map<number, string>(), new Map<number, { low: number; high: number }>()]
          : await Promise.all([
              kafka.groupOffsets(groupId, topic, { stable: true }),
              kafka.topicOffsets(topic),
            ]);
      for (const { partition } of mine) {
        const knownOffset = known?.get(partitionKey(topic, partition));
        const committedOffset = Number(committed.get(partition) ?? -1);
        const low = bounds.get(partition)?.low ?? 0;
        const offset = knownOffset ?? (committedOffset >= 0 ? Math.max(committedOffset, low) : low);
        result.push({ topic, partition, offset });
      }
    }
    return result;
  }

  private async onAssignment(event: JoinEvent): Promise<void> {
    const assignments = event.assignments ?? [];
    const generation = {
      groupId: this.options.groupId,
      generationId: event.generationId ?? this.membership.generationId,
      memberId: event.memberId ?? this.membership.memberId ?? '',
    };
    const partitions = assignments
      .filter((a) => this.options.topics.includes(a.topic))
      .flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    // Nothing more of the old assignment is handed over once the new one is known.
    this.fetcher.assign([]);
    await this.serial(async () => {
      this.generation = generation;
      this.log.info(
        { partitions: partitions.map((p) => `${p.topic}:${p.partition}`) },
        'partitions assigned',
      );
      const known = this.options.signal.aborted ? undefined : await this.handler?.assigned(partitions);
      const starts = await this.retrying('read start offsets', () => this.startOffsets(partitions, known));
      for (const gone of this.progress.reset(starts)) this.options.onLag?.(gone.topic, gone.partition, null);
      this.fetcher.assign(starts);
    });
  }

  /** Retries a retriable Kafka call until it works, the run stops, or the membership deadline. */
  private async retrying<T>(what: string, operation: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.options.membershipDeadlineMs ?? 120_000);
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (this.stopped || Date.now() > deadline) throw error;
        retryLog(this.log, attempt)({ err: String(error), attempt }, `${what} failed, retrying`);
        await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 4)));
      }
    }
  }

  private handler: GroupHandler | undefined;

  async run(handler: GroupHandler): Promise<void> {
    this.handler = handler;
    const { signal } = this.options;
    const onJoin = (event: JoinEvent) => {
      this.onAssignment(event).catch((error: unknown) => this.fail(error));
    };
    this.membership.on('consumer:group:join', onJoin);
    // The client rejoins by itself after a rebalance; an error here means it gave up: join again.
    this.membership.on('error', (error: unknown) => {
      if (this.stopped) return;
      this.log.warn({ err: String(error) }, 'group membership lost, joining again');
      this.retrying('join group', () => this.membership.joinGroup({})).catch((e: unknown) => this.fail(e));
    });
    const ticker = setInterval(() => {
      if (!handler.tick || this.failure !== undefined) return;
      this.serial(async () => {
        if (this.failure === undefined) await handler.tick?.(Date.now());
      }).catch((error: unknown) => this.fail(error));
    }, this.options.tickMs ?? 100);
    const onAbort = () => this.fetcher.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.retrying('join group', () => this.membership.joinGroup({}));
      if (!signal.aborted && this.failure === undefined) {
        await this.fetcher.run((batches) =>
          this.serial(async () => {
            if (this.failure !== undefined || signal.aborted) return;
            await handler.records(batches);
            for (const batch of batches) {
              const last = batch.records.at(-1)?.offset;
              this.progress.delivered(batch.topic, batch.partition, batch.nextOffset, last, batch.endOffset);
              this.reportLag(batch.topic, batch.partition);
            }
          }).catch((error: unknown) => this.fail(error)),
        );
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.stopped = true;
      clearInterval(ticker);
      signal.removeEventListener('abort', onAbort);
      this.membership.off('consumer:group:join', onJoin);
      await this.serial(() => handler.close()).catch((error: unknown) => this.fail(error));
      await new Promise<void>((resolve) => this.membership.leaveGroup(true, () => resolve()));
      await this.membership.close(true).catch(() => undefined);
      await this.fetchClient.close(true).catch(() => undefined);
    }
    if (this.failure !== undefined) {
      throw this.failure instanceof Error
        ? this.failure
        : new SynfinError('STAGE_FAILED', `${this.options.groupId}: ${String(this.failure)}`);
    }
  }
}
