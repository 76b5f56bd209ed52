/**
 * Merges inputs into one event-time order. Each source reports how far it has come; an event is
 * released once every live source has passed its time, so the stage sees the same sequence
 * whatever the batching or interleaving of its inputs — and the same as a batch job sorting by
 * time. A source that is caught up and silent (idle) stops holding the others back. An event
 * older than what was already released is late: the caller processes it at once and flags it.
 */
export interface TimedItem {
  t: number;
  /** Tie-break between kinds at the same millisecond (a label before a purchase, …). */
  rank: number;
  id: string;
  /** The source it came from. */
  source: string;
}

import { Heap } from 'mnemonist';

export interface EventTimeState {
  released: number;
  progress: Record<string, number>;
  /**
   * Sources idle at the time, without events buffered (absent in changelogs of earlier versions).
   * A merchant task hears of a customer task's idleness once, in a heartbeat that a restart may
   * not read again: without it, the restarted task would wait for that source forever.
   */
  idle?: string[];
}

export function compareTimed(a: TimedItem, b: TimedItem): number {
  return a.t - b.t || a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A buffered event and its arrival number: events equal in (time, rank, id) leave in arrival order. */
interface Buffered<T> {
  item: T;
  seq: number;
}

function compareBuffered<T extends TimedItem>(a: Buffered<T>, b: Buffered<T>): number {
  return compareTimed(a.item, b.item) || a.seq - b.seq;
}

export class EventTimeMerge<T extends TimedItem> {
  private readonly progress = new Map<string, number>();
  private readonly idle = new Set<string>();
  /**
   * Buffered events, one heap per source: pushing and releasing cost log n (re-sorting everything
   * buffered on every release was quadratic when a source held the others back), and each
   * source's earliest buffered event — what `state` needs — is its heap's top.
   */
  private readonly heaps = new Map<string, Heap<Buffered<T>>>();
  private count = 0;
  private arrivals = 0;
  private released = Number.NEGATIVE_INFINITY;

  constructor(sources: readonly string[] = []) {
    for (const source of sources) this.addSource(source);
  }

  addSource(source: string): void {
    if (!this.progress.has(source)) this.progress.set(source, Number.NEGATIVE_INFINITY);
  }

  get sources(): number {
    return this.progress.size;
  }

  /** `source` will not bring anything at or before `watermark` again. */
  advance(source: string, watermark: number): void {
    const current = this.progress.get(source) ?? Number.NEGATIVE_INFINITY;
    if (watermark > current) this.progress.set(source, watermark);
  }

  setIdle(source: string, idle: boolean): void {
    if (idle) this.idle.add(source);
    else this.idle.delete(source);
  }

  isIdle(source: string): boolean {
    return this.idle.has(source);
  }

  allIdle(): boolean {
    return this.progress.size > 0 && this.idle.size >= this.progress.size;
  }

  isLate(item: TimedItem): boolean {
    return item.t <= this.released;
  }

  push(item: T): void {
    let heap = this.heaps.get(item.source);
    if (!heap) {
      heap = new Heap<Buffered<T>>(compareBuffered);
      this.heaps.set(item.source, heap);
    }
    heap.push({ item, seq: this.arrivals++ });
    this.count++;
  }

  get buffered(): number {
    return this.count;
  }

  /** How far events have been released: everything at or before it has been handed out. */
  get watermark(): number {
    return this.released;
  }

  /**
   * The events every live source has passed, in (time, rank, id) order — at most about `max` of
   * them (a run of events at one millisecond is never split), so that a caller can hand a large
   * backlog out in slices and keep its thread responsive; the rest follow at the next call.
   */
  release(max = Number.POSITIVE_INFINITY): T[] {
    let limit = Number.POSITIVE_INFINITY;
    for (const [source, watermark] of this.progress) {
      if (!this.idle.has(source) && watermark < limit) limit = watermark;
    }
    if (this.progress.size === 0) limit = Number.NEGATIVE_INFINITY;
    if (this.count === 0 || limit === Number.NEGATIVE_INFINITY) {
      if (Number.isFinite(limit) && limit > this.released) this.released = limit;
      return [];
    }
    const out: T[] = [];
    let capped = false;
    for (;;) {
      // The earliest event at or before the limit across the sources' heaps (a handful of them).
      let from: Heap<Buffered<T>> | undefined;
      let next: Buffered<T> | undefined;
      for (const heap of this.heaps.values()) {
        const top = heap.peek();
        if (top && top.item.t <= limit && (!next || compareBuffered(top, next) < 0)) {
          from = heap;
          next = top;
        }
      }
      if (!from || !next) break;
      const previous = out.at(-1);
      if (out.length >= max && previous && next.item.t > previous.t) {
        capped = true;
        break;
      }
      from.pop();
      // An emptied heap gives its array back: a backlog's worth of slots was kept for good.
      if (from.size === 0) from.clear();
      this.count--;
      out.push(next.item);
    }
    // Everything up to the limit is out, unless the slice ended earlier: then only up to its last
    // event (with every source idle the limit is infinite: claim only what was released).
    const last = out.at(-1);
    const reached = capped || !Number.isFinite(limit) ? (last?.t ?? this.released) : limit;
    if (reached > this.released) this.released = reached;
    return out;
  }

  /**
   * What a restart needs. Buffered events are not saved — they are read again from their inputs —
   * so a source's progress is saved as just below its earliest buffered event: otherwise the
   * restarted merge would release past events it has not seen again yet.
   */
  state(): EventTimeState {
    const progress = new Map(this.progress);
    for (const [source, heap] of this.heaps) {
      const earliest = heap.peek();
      if (!earliest) continue;
      const current = progress.get(source) ?? Number.NEGATIVE_INFINITY;
      if (earliest.item.t - 1 < current) progress.set(source, earliest.item.t - 1);
    }
    // A source idle with events still buffered is not saved idle: a restarted merge must wait for
    // those events to be read again (the source's next heartbeat or silence makes it idle again).
    const idle = [...this.idle].filter((source) => (this.heaps.get(source)?.size ?? 0) === 0);
    return { released: this.released, progress: Object.fromEntries(progress), idle };
  }

  restore(state: EventTimeState): void {
    this.released = state.released ?? Number.NEGATIVE_INFINITY;
    for (const [source, watermark] of Object.entries(state.progress)) {
      this.progress.set(source, watermark ?? Number.NEGATIVE_INFINITY);
    }
    for (const source of state.idle ?? []) this.idle.add(source);
  }
}
