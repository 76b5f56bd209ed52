/**
 * The merchant stage's task for one partition of the merchant input (keyed by merchant). It merges
 * the streams of all customer tasks by event time — each customer task sends its purchases and
 * labels in event-time order, with heartbeats saying how far it has come — so each purchase's
 * merchant windows see exactly the purchases before it and the frauds reported by then.
 */
import type { ProcessorConfig } from '../config.ts';
import { DirtyKeys } from '../engine/dirty-keys.ts';
import { EventTimeMerge, type EventTimeState, type TimedItem } from '../engine/event-time.ts';
import { InputProgress, type ProgressState } from '../engine/input-progress.ts';
import {
  type ChangelogRecord,
  deadLetter,
  type InputRecord,
  type OutputRecord,
  type StageTask,
  type TaskOutput,
} from '../engine/task.ts';
import { merchantFamilies } from '../features/catalog.ts';

type MerchantFamily = (typeof merchantFamilies)[number];

import {
  insertTime,
  type MerchantHistory,
  type MerchantTx,
  pruneBefore,
} from '../features/merchant-history.ts';
import { DAY_MS, HOUR_MS } from '../features/types.ts';
import { HISTORY_ITEM, HistoryBlockWriter, type HistoryItemKind, readHistoryBlock } from './history-block.ts';
import { BLOCK_SPAN, MerchantFeatureBlocks, type MerchantInput, readMerchantInput } from './messages.ts';

export interface MerchantTaskOptions {
  partition: number;
  config: Pick<ProcessorConfig, 'labelDelayDays'>;
  internal: { merchantInput: string; merchantFeatures: string; deadLetters: string };
  onCount?: (what: 'late' | 'dead_letter', n?: number) => void;
}

type Item =
  | (TimedItem & {
      kind: 'label';
      offset: number;
      merchantId: string;
      terminalId: string;
      txTime: number;
      fraud: boolean;
    })
  | (TimedItem & { kind: 'tx'; offset: number; from: number; tx: MerchantTx; late: boolean });

const WINDOW_MS = 30 * DAY_MS;
/** Events handed out per call at most: a backlog is worked off in slices, between heartbeats. */
const RELEASE_SLICE = 5000;

export class MerchantTask implements StageTask {
  readonly partition: number;
  private readonly options: MerchantTaskOptions;
  private readonly merchants = new Map<string, MerchantHistory>();
  /** The same history per terminal, for the terminal windows. */
  private readonly terminals = new Map<string, MerchantHistory>();
  /** What the histories gained since the last commit: the next changelog block. */
  private readonly added = new HistoryBlockWriter();
  /** The changelog blocks written and not yet deleted: sequence number → latest time in it. */
  private readonly blocks = new Map<number, number>();
  private nextBlock = 0;
  private readonly merge = new EventTimeMerge<Item>();
  private readonly progress = new InputProgress();
  private readonly dirty = new DirtyKeys();
  private out: OutputRecord[] = [];
  /** Merchant features computed since the last commit, per customer partition, in order. */
  private readonly featureBlocks = new MerchantFeatureBlocks();
  /** A purchase's merchant features, written into its block at once: one object for all of them. */
  private readonly values: Record<string, number> = {};
  private readonly delayMs: number;
  private sweptHour = Number.NEGATIVE_INFINITY;

  constructor(options: MerchantTaskOptions) {
    this.options = options;
    this.partition = options.partition;
    this.delayMs = options.config.labelDelayDays * DAY_MS;
  }

  process(records: readonly InputRecord[]): void {
    for (const record of records) {
      // A record is a block of messages: message i of the record at offset o is position
      // o × BLOCK_SPAN + i in the input's progress, so a block left half done is resumed exactly.
      const base = record.offset * BLOCK_SPAN;
      let messages: MerchantInput[];
      try {
        messages = readMerchantInput(record.value);
      } catch (error) {
        // A replayed record that does not parse was dead-lettered the first time.
        if (this.progress.read(base) === 'fresh') {
          this.out.push(deadLetter(this.options.internal.deadLetters, record, error as Error));
          this.options.onCount?.('dead_letter');
          this.progress.done(base);
        }
        this.progress.passed(base + BLOCK_SPAN);
        continue;
      }
      for (let index = 0; index < messages.length; index++)
        this.accept(messages[index] as MerchantInput, base + index);
      this.progress.passed(base + BLOCK_SPAN);
    }
    this.releaseAvailable();
  }

  private accept(message: MerchantInput, position: number): void {
    const reading = this.progress.read(position);
    if (reading === 'seen') return;
    if (message.k === 'wm') {
      // Heartbeats are applied again when replayed after a restart, in offset order with the
      // purchases read again, so that a source's idleness is as it was at this point.
      this.heartbeat(message);
      if (reading === 'fresh') this.progress.done(position);
      return;
    }
    if (reading === 'replay') return;
    // Sources are registered by heartbeats only: until every customer task is known, nothing
    // may be released.
    const item: Item =
      message.k === 'tx'
        ? {
            kind: 'tx',
            source: sourceName(message.p),
            t: message.f.eventTime,
            rank: 1,
            id: message.f.transactionId,
            offset: position,
            from: message.p,
            tx: message.f,
            late: message.late,
          }
        : {
            kind: 'label',
            source: sourceName(message.p),
            t: message.r,
            rank: 0,
            id: message.id,
            offset: position,
            merchantId: message.m,
            terminalId: message.tm ?? '',
            txTime: message.tt,
            fraud: message.fraud,
          };
    if (this.merge.isLate(item)) {
      this.options.onCount?.('late');
      this.handle(item, true);
      this.progress.done(position);
    } else {
      this.merge.push(item);
      this.progress.wait(position);
    }
  }

  private heartbeat(message: Extract<MerchantInput, { k: 'wm' }>): void {
    const source = sourceName(message.p);
    for (let p = 0; p < message.of; p++) this.merge.addSource(sourceName(p));
    this.merge.advance(source, message.wm);
    this.merge.setIdle(source, message.idle);
  }

  /** Heartbeats from the customer tasks carry their progress; ticks work off a backlog. */
  tick(): void {
    this.releaseAvailable();
  }

  private releaseAvailable(): void {
    for (const item of this.merge.release(RELEASE_SLICE)) {
      this.handle(item, false);
      this.progress.done(item.offset);
    }
    this.sweep();
  }

  private history(merchantId: string): MerchantHistory {
    return historyIn(this.merchants, merchantId);
  }

  private handle(item: Item, late: boolean): void {
    if (item.kind === 'label') {
      if (!item.fraud) return;
      this.apply(HISTORY_ITEM.merchantFraud, item.merchantId, item.txTime);
      if (item.terminalId !== '') this.apply(HISTORY_ITEM.terminalFraud, item.terminalId, item.txTime);
      return;
    }
    const { tx } = item;
    const history = this.history(tx.merchantId);
    const terminal = historyIn(this.terminals, tx.terminalId);
    const context = { tx, history, terminal, delayMs: this.delayMs };
    const values = this.values;
    for (let f = 0; f < merchantFamilies.length; f++)
      (merchantFamilies[f] as MerchantFamily).compute(context, values);
    insertTime(history.times, tx.eventTime);
    this.added.add(HISTORY_ITEM.merchantTx, tx.merchantId, tx.eventTime);
    insertTime(terminal.times, tx.eventTime);
    this.added.add(HISTORY_ITEM.terminalTx, tx.terminalId, tx.eventTime);
    this.featureBlocks.add(item.from, tx.transactionId, values, late || item.late);
  }

  /** Adds one time to a history, and to the next changelog block. */
  private apply(kind: HistoryItemKind, id: string, t: number): void {
    insertInto(kind, id, t, this.merchants, this.terminals);
    this.added.add(kind, id, t);
  }

  /** Once per event-time hour: forget what lies behind every window. */
  private sweep(): void {
    const watermark = this.merge.watermark;
    if (!Number.isFinite(watermark)) return;
    const hour = Math.floor(watermark / HOUR_MS);
    if (hour <= this.sweptHour) return;
    this.sweptHour = hour;
    const cutoff = watermark - this.delayMs - WINDOW_MS - HOUR_MS;
    prune(this.merchants, cutoff);
    prune(this.terminals, cutoff);
    // A block whose every time is pruned holds nothing a restart needs.
    for (const [block, latest] of this.blocks) {
      if (latest > cutoff) continue;
      this.blocks.delete(block);
      this.dirty.mark(blockKey(block));
    }
  }

  takeOutput(): TaskOutput {
    // Per customer partition, what it gets back from this commit, in blocks of a bounded size.
    for (const { partition, value } of this.featureBlocks.take())
      this.out.push({ topic: this.options.internal.merchantFeatures, partition, key: null, value });
    const records = this.out;
    this.out = [];
    // The first message still waiting is in the record at this offset: it is read again from there.
    const offset = Math.floor(this.progress.commitOffset() / BLOCK_SPAN);
    return {
      records,
      offsets: offset >= 0 ? [{ topic: this.options.internal.merchantInput, offset }] : [],
    };
  }

  takeChangelog(): ChangelogRecord[] {
    this.dirty.mark('w');
    this.dirty.mark('p');
    const changelog = this.dirty.flush((key) => this.materialize(key));
    for (const { value, maxTime } of this.added.take()) {
      const block = this.nextBlock++;
      this.blocks.set(block, maxTime);
      changelog.push({ key: blockKey(block), value });
    }
    return changelog;
  }

  /** Progress and event-time state; every other key marked is a block or an old hour key to delete. */
  private materialize(key: string): string | undefined {
    if (key === 'w') return JSON.stringify(this.merge.state());
    if (key === 'p') return JSON.stringify({ ...this.progress.compact(), span: BLOCK_SPAN });
    return undefined;
  }

  restore(records: Iterable<ChangelogRecord>): void {
    const latest = new Map<string, ChangelogRecord['value']>();
    for (const record of records) latest.set(record.key, record.value);
    const apply = (kind: HistoryItemKind, id: string, t: number) =>
      insertInto(kind, id, t, this.merchants, this.terminals);
    for (const [key, value] of latest) {
      if (value === null) continue;
      if (key.startsWith('b|')) {
        const block = Number(key.slice(2));
        this.blocks.set(block, readHistoryBlock(Buffer.isBuffer(value) ? value : Buffer.from(value), apply));
        this.nextBlock = Math.max(this.nextBlock, block + 1);
        continue;
      }
      const parsed: unknown = JSON.parse(value.toString());
      if (key === 'w') this.merge.restore(parsed as EventTimeState);
      else if (key === 'p') this.progress.restore(positionsOf(parsed as ProgressState & { span?: number }));
      else if (key.startsWith('m|') || key.startsWith('n|')) {
        // An hour of one merchant or terminal, the layout of earlier versions: its times go into
        // the next block and the hour key is deleted at the next commit.
        const [kind, id] = key.split('|') as [string, string];
        const { t, f } = parsed as { t: number[]; f: number[] };
        const terminal = kind === 'n';
        for (const time of t)
          this.apply(terminal ? HISTORY_ITEM.terminalTx : HISTORY_ITEM.merchantTx, id, time);
        for (const time of f)
          this.apply(terminal ? HISTORY_ITEM.terminalFraud : HISTORY_ITEM.merchantFraud, id, time);
        this.dirty.mark(key);
      }
    }
  }

  stateSize(): Record<string, number> {
    let purchases = 0;
    for (const history of this.merchants.values()) purchases += history.times.length;
    return {
      merchants: this.merchants.size,
      terminals: this.terminals.size,
      purchases,
      buffered: this.merge.buffered,
    };
  }
}

/** Progress saved by earlier versions counted records (one message each): message 0 of each. */
function positionsOf(state: ProgressState & { span?: number }): ProgressState {
  if (state.span === BLOCK_SPAN) return state;
  const scale = (position: number) => (position < 0 ? position : position * BLOCK_SPAN);
  return { next: scale(state.next), doneAhead: state.doneAhead.map(scale) };
}

const sourceNames: string[] = [];
/** The merge's name for customer partition p's stream (one string per partition, not per message). */
function sourceName(p: number): string {
  let name = sourceNames[p];
  if (name === undefined) {
    name = `p${p}`;
    sourceNames[p] = name;
  }
  return name;
}

function blockKey(block: number): string {
  return `b|${block}`;
}

function historyIn(histories: Map<string, MerchantHistory>, id: string): MerchantHistory {
  let history = histories.get(id);
  if (!history) {
    history = { times: [], frauds: [] };
    histories.set(id, history);
  }
  return history;
}

function insertInto(
  kind: HistoryItemKind,
  id: string,
  t: number,
  merchants: Map<string, MerchantHistory>,
  terminals: Map<string, MerchantHistory>,
): void {
  const terminal = kind === HISTORY_ITEM.terminalTx || kind === HISTORY_ITEM.terminalFraud;
  const history = historyIn(terminal ? terminals : merchants, id);
  const fraud = kind === HISTORY_ITEM.merchantFraud || kind === HISTORY_ITEM.terminalFraud;
  insertTime(fraud ? history.frauds : history.times, t);
}

/** Drops every time at or before `cutoff`, and the histories left empty. */
function prune(histories: Map<string, MerchantHistory>, cutoff: number): void {
  for (const [id, history] of histories) {
    const first = Math.min(history.times[0] ?? Infinity, history.frauds[0] ?? Infinity);
    if (first > cutoff) continue;
    pruneBefore(history.times, cutoff);
    pruneBefore(history.frauds, cutoff);
    if (history.times.length === 0 && history.frauds.length === 0) histories.delete(id);
  }
}
