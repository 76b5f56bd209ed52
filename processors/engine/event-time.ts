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

export interface EventTimeState {
  released: number;
  progress: Record<string, number>;
}

export function compareTimed(a: TimedItem, b: TimedItem): number {
  return a.t - b.t || a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class EventTimeMerge<T extends TimedItem> {
  private readonly progress = new Map<string, number>();
  private readonly idle = new Set<string>();
  private buffer: T[] = [];
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
    this.buffer.push(item);
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** How far events have been released: everything at or before it has been handed out. */
  get watermark(): number {
    return this.released;
  }

  /** The events every live source has passed, in (time, rank, id) order. */
  release(): T[] {
    let limit = Number.POSITIVE_INFINITY;
    for (const [source, watermark] of this.progress) {
      if (!this.idle.has(source) && watermark < limit) limit = watermark;
    }
    if (this.progress.size === 0) limit = Number.NEGATIVE_INFINITY;
    if (this.buffer.length === 0 || limit === Number.NEGATIVE_INFINITY) {
      if (Number.isFinite(limit) && limit > this.released) this.released = limit;
      return [];
    }
    this.buffer.sort(compareTimed);
    let count = 0;
    while (count < this.buffer.length && (this.buffer[count] as T).t <= limit) count++;
    const out = this.buffer.slice(0, count);
    this.buffer = this.buffer.slice(count);
    // With every source idle the limit is infinite: release all, but only claim what was released.
    const last = out.at(-1);
    const reached = Number.isFinite(limit) ? limit : (last?.t ?? this.released);
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
    for (const item of this.buffer) {
      const current = progress.get(item.source) ?? Number.NEGATIVE_INFINITY;
      if (item.t - 1 < current) progress.set(item.source, item.t - 1);
    }
    return { released: this.released, progress: Object.fromEntries(progress) };
  }

  restore(state: EventTimeState): void {
    this.released = state.released ?? Number.NEGATIVE_INFINITY;
    for (const [source, watermark] of Object.entries(state.progress)) {
      this.progress.set(source, watermark ?? Number.NEGATIVE_INFINITY);
    }
  }
}
