import type { SinkRecord } from './sink.ts';

export interface BatchLimits {
  maxRows: number;
  maxBytes: number;
  maxWaitMs: number;
}

/** Collects records until a batch is full (rows or bytes) or due (its oldest record waited long enough). */
export class Batcher {
  private records: SinkRecord[] = [];
  private bytes = 0;
  private since = 0;

  private readonly limits: BatchLimits;

  constructor(limits: BatchLimits) {
    this.limits = limits;
  }

  add(record: SinkRecord, now: number): void {
    if (this.records.length === 0) this.since = now;
    this.records.push(record);
    this.bytes += record.bytes;
  }

  get size(): number {
    return this.records.length;
  }

  get full(): boolean {
    return this.records.length >= this.limits.maxRows || this.bytes >= this.limits.maxBytes;
  }

  due(now: number): boolean {
    return this.records.length > 0 && (this.full || now - this.since >= this.limits.maxWaitMs);
  }

  take(): SinkRecord[] {
    const taken = this.records;
    this.records = [];
    this.bytes = 0;
    return taken;
  }
}
