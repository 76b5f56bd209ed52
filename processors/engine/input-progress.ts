/**
 * Which offsets of one input partition are done. Events wait in the event-time buffer, so the
 * offset committed is the first one still waiting; those processed beyond it are remembered (and
 * kept in the changelog) so that a restart re-reads the waiting ones without redoing the others.
 */
export interface ProgressState {
  next: number;
  doneAhead: number[];
}

/** Offsets passed at the front of `order` before it is copied without them. */
const COMPACT_AFTER = 4096;

export class InputProgress {
  private next = -1;
  private readonly waiting = new Set<number>();
  /**
   * The offsets in the order they started waiting (increasing), from `head` on; those done since
   * are skipped when the first still waiting is asked for. Finding it by iterating the Set walked
   * over every entry deleted since the Set last rehashed: 18% of the processors' CPU at 100,000
   * customers (`bench/processors/throughput.ts` with BENCH_PROFILE).
   */
  private order: number[] = [];
  private head = 0;
  private doneAhead = new Set<number>();

  /**
   * What reading `offset` means: `fresh` to process; `replay` when it was processed before a
   * restart, ahead of the offset committed then; `seen` when this task read it already (a task
   * kept through a rebalance is fed again from the committed offset, the first one still waiting,
   * while what it read since is waiting or done).
   */
  read(offset: number): 'fresh' | 'replay' | 'seen' {
    if (offset < this.next) return 'seen';
    this.next = offset + 1;
    return this.doneAhead.has(offset) ? 'replay' : 'fresh';
  }

  /** Everything below `offset` has been read (a block of messages numbered up to it is whole). */
  passed(offset: number): void {
    if (offset > this.next) this.next = offset;
  }

  /** True for an offset to process (`read` says fresh). */
  accept(offset: number): boolean {
    return this.read(offset) === 'fresh';
  }

  wait(offset: number): void {
    this.waiting.add(offset);
    this.order.push(offset);
  }

  done(offset: number): void {
    this.waiting.delete(offset);
    if (this.waiting.size > 0 && offset > this.commitOffset()) this.doneAhead.add(offset);
  }

  /** The offset to commit: the first still waiting, else the next to read; -1 before any record. */
  commitOffset(): number {
    // Offsets start waiting in increasing order, so the first of `order` still waiting is the smallest.
    const { order, waiting } = this;
    let head = this.head;
    while (head < order.length && !waiting.has(order[head] as number)) head++;
    if (head === order.length) {
      order.length = 0;
      this.head = 0;
      return this.next;
    }
    if (head >= COMPACT_AFTER && head * 2 >= order.length) {
      this.order = order.slice(head);
      head = 0;
    }
    this.head = head;
    return this.order[head] as number;
  }

  /** Drops what the commit offset has passed; returns what a restart needs. */
  compact(): ProgressState {
    const commit = this.commitOffset();
    this.doneAhead = new Set([...this.doneAhead].filter((offset) => offset >= commit));
    // A restart resumes reading at the commit offset, so that is where `next` restarts too.
    return { next: commit, doneAhead: [...this.doneAhead].sort((a, b) => a - b) };
  }

  restore(state: ProgressState): void {
    this.next = state.next;
    this.doneAhead = new Set(state.doneAhead);
  }
}
