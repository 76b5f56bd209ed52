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
import { insertTime, type MerchantHistory, pruneBefore, sliceIn } from '../features/merchant-history.ts';
import { DAY_MS, HOUR_MS, type TxFacts } from '../features/types.ts';
import { type MerchantFeaturesMessage, type MerchantInput, parseMerchantInput } from './messages.ts';

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
  | (TimedItem & { kind: 'tx'; offset: number; from: number; tx: TxFacts; late: boolean });

const WINDOW_MS = 30 * DAY_MS;
/** Events handed out per call at most: a backlog is worked off in slices, between heartbeats. */
const RELEASE_SLICE = 5000;
/** Merchant features per record back to a customer partition: ~350 B of JSON each. */
const FEATURE_BLOCK = 500;

export class MerchantTask implements StageTask {
  readonly partition: number;
  private readonly options: MerchantTaskOptions;
  private readonly merchants = new Map<string, MerchantHistory>();
  /** The same history per terminal, for the terminal windows (changelog keys `n|<terminal>|<hour>`). */
  private readonly terminals = new Map<string, MerchantHistory>();
  private readonly merge = new EventTimeMerge<Item>();
  private readonly progress = new InputProgress();
  private readonly dirty = new DirtyKeys();
  private out: OutputRecord[] = [];
  /** Merchant features computed since the last commit, per customer partition, in order. */
  private readonly featureBlocks = new Map<number, MerchantFeaturesMessage[]>();
  private readonly delayMs: number;
  private sweptHour = Number.NEGATIVE_INFINITY;

  constructor(options: MerchantTaskOptions) {
    this.options = options;
    this.partition = options.partition;
    this.delayMs = options.config.labelDelayDays * DAY_MS;
  }

  process(records: readonly InputRecord[]): void {
    for (const record of records) {
      const reading = this.progress.read(record.offset);
      if (reading === 'seen') continue;
      let message: MerchantInput;
      try {
        message = parseMerchantInput(record.value);
      } catch (error) {
        // A replayed record that does not parse was dead-lettered the first time.
        if (reading === 'fresh') {
          this.out.push(deadLetter(this.options.internal.deadLetters, record, error as Error));
          this.options.onCount?.('dead_letter');
          this.progress.done(record.offset);
        }
        continue;
      }
      if (message.k === 'wm') {
        // Heartbeats are applied again when replayed after a restart, in offset order with the
        // purchases read again, so that a source's idleness is as it was at this point.
        this.heartbeat(message);
        if (reading === 'fresh') this.progress.done(record.offset);
        continue;
      }
      if (reading === 'replay') continue;
      // Sources are registered by heartbeats only: until every customer task is known, nothing
      // may be released.
      const item: Item =
        message.k === 'tx'
          ? {
              kind: 'tx',
              source: `p${message.p}`,
              t: message.f.eventTime,
              rank: 1,
              id: message.f.transactionId,
              offset: record.offset,
              from: message.p,
              tx: message.f,
              late: message.late,
            }
          : {
              kind: 'label',
              source: `p${message.p}`,
              t: message.r,
              rank: 0,
              id: message.id,
              offset: record.offset,
              merchantId: message.m,
              terminalId: message.tm ?? '',
              txTime: message.tt,
              fraud: message.fraud,
            };
      if (this.merge.isLate(item)) {
        this.options.onCount?.('late');
        this.handle(item, true);
        this.progress.done(record.offset);
      } else {
        this.merge.push(item);
        this.progress.wait(record.offset);
      }
    }
    this.releaseAvailable();
  }

  private heartbeat(message: Extract<MerchantInput, { k: 'wm' }>): void {
    const source = `p${message.p}`;
    for (let p = 0; p < message.of; p++) this.merge.addSource(`p${p}`);
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
      insertTime(this.history(item.merchantId).frauds, item.txTime);
      this.dirty.mark(hourKey(item.merchantId, item.txTime));
      if (item.terminalId !== '') {
        insertTime(historyIn(this.terminals, item.terminalId).frauds, item.txTime);
        this.dirty.mark(hourKey(item.terminalId, item.txTime, TERMINAL));
      }
      return;
    }
    const { tx } = item;
    const history = this.history(tx.merchantId);
    const terminal = historyIn(this.terminals, tx.terminalId);
    const context = { tx, history, terminal, delayMs: this.delayMs };
    const values: Record<string, number> = {};
    for (const family of merchantFamilies) Object.assign(values, family.compute(context));
    insertTime(history.times, tx.eventTime);
    this.dirty.mark(hourKey(tx.merchantId, tx.eventTime));
    insertTime(terminal.times, tx.eventTime);
    this.dirty.mark(hourKey(tx.terminalId, tx.eventTime, TERMINAL));
    const message: MerchantFeaturesMessage = {
      id: tx.transactionId,
      c: tx.customerId,
      v: values,
      late: late || item.late,
    };
    let block = this.featureBlocks.get(item.from);
    if (!block) {
      block = [];
      this.featureBlocks.set(item.from, block);
    }
    block.push(message);
  }

  /** Once per event-time hour: forget what lies behind every window. */
  private sweep(): void {
    const watermark = this.merge.watermark;
    if (!Number.isFinite(watermark)) return;
    const hour = Math.floor(watermark / HOUR_MS);
    if (hour <= this.sweptHour) return;
    this.sweptHour = hour;
    const cutoff = watermark - this.delayMs - WINDOW_MS - HOUR_MS;
    this.prune(this.merchants, MERCHANT, cutoff);
    this.prune(this.terminals, TERMINAL, cutoff);
  }

  private prune(histories: Map<string, MerchantHistory>, kind: string, cutoff: number): void {
    for (const [id, history] of histories) {
      const first = Math.min(history.times[0] ?? Infinity, history.frauds[0] ?? Infinity);
      if (first > cutoff) continue;
      for (let t = first; t <= cutoff; t += HOUR_MS) this.dirty.mark(hourKey(id, t, kind));
      this.dirty.mark(hourKey(id, cutoff, kind));
      pruneBefore(history.times, cutoff);
      pruneBefore(history.frauds, cutoff);
      if (history.times.length === 0 && history.frauds.length === 0) histories.delete(id);
    }
  }

  takeOutput(): TaskOutput {
    this.dirty.mark('w');
    this.dirty.mark('p');
    const changelog = this.dirty.flush((key) => this.materialize(key));
    // Per customer partition, what it gets back from this commit in blocks of a bounded size
    // (well under Kafka's 1 MiB default for a record batch).
    for (const [partition, block] of this.featureBlocks) {
      for (let start = 0; start < block.length; start += FEATURE_BLOCK) {
        this.out.push({
          topic: this.options.internal.merchantFeatures,
          partition,
          key: null,
          value: JSON.stringify(block.slice(start, start + FEATURE_BLOCK)),
        });
      }
    }
    this.featureBlocks.clear();
    const records = this.out;
    this.out = [];
    const offset = this.progress.commitOffset();
    return {
      records,
      changelog,
      offsets: offset >= 0 ? [{ topic: this.options.internal.merchantInput, offset }] : [],
    };
  }

  private materialize(key: string): string | undefined {
    if (key === 'w') return JSON.stringify(this.merge.state());
    if (key === 'p') return JSON.stringify(this.progress.compact());
    const [kind, id, hourText] = key.split('|') as [string, string, string];
    const history = (kind === TERMINAL ? this.terminals : this.merchants).get(id);
    if (!history) return undefined;
    // The lists are sorted, so the hour is a slice found by binary search.
    const from = Number(hourText) * HOUR_MS;
    const times = sliceIn(history.times, from, from + HOUR_MS);
    const frauds = sliceIn(history.frauds, from, from + HOUR_MS);
    return times.length + frauds.length > 0 ? JSON.stringify({ t: times, f: frauds }) : undefined;
  }

  restore(records: Iterable<ChangelogRecord>): void {
    const latest = new Map<string, ChangelogRecord['value']>();
    for (const record of records) latest.set(record.key, record.value);
    for (const [key, value] of latest) {
      if (value === null) continue;
      const parsed: unknown = JSON.parse(value.toString());
      if (key === 'w') this.merge.restore(parsed as EventTimeState);
      else if (key === 'p') this.progress.restore(parsed as ProgressState);
      else if (key.startsWith('m|') || key.startsWith('n|')) {
        const [kind, id] = key.split('|') as [string, string];
        const history = historyIn(kind === TERMINAL ? this.terminals : this.merchants, id);
        const { t, f } = parsed as { t: number[]; f: number[] };
        for (const time of t) insertTime(history.times, time);
        for (const time of f) insertTime(history.frauds, time);
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

/** Changelog key kinds: a merchant's hour, a terminal's hour. */
const MERCHANT = 'm';
const TERMINAL = 'n';

function hourKey(id: string, t: number, kind = MERCHANT): string {
  return `${kind}|${id}|${Math.floor(t / HOUR_MS)}`;
}

function historyIn(histories: Map<string, MerchantHistory>, id: string): MerchantHistory {
  let history = histories.get(id);
  if (!history) {
    history = { times: [], frauds: [] };
    histories.set(id, history);
  }
  return history;
}
