/**
 * The merchant stage's changelog value: what one commit added to the merchant and terminal
 * histories, as one binary block under a key of its own (`b|<seq>`), deleted once everything in it
 * lies behind every window. It replaced one JSON key per merchant (or terminal) and hour, rewritten
 * whole at every commit that touched the hour: in the processors bench that was ~8 changelog
 * records per purchase, most of everything the processors produced, and a string key built per
 * purchase. Restoring applies the blocks in any order: the histories are sorted lists.
 *
 * Layout: a tag byte (never `{`, the first byte of the JSON layout before it), then per item a kind
 * byte, the id and the time (processors/engine/bytes.ts).
 */
import { ByteReader, ByteWriter } from '../engine/bytes.ts';
import { InvalidRecordError } from '../engine/task.ts';

/** What an item adds: a purchase time or a fraud's purchase time, to a merchant or a terminal. */
export const HISTORY_ITEM = { merchantTx: 0, merchantFraud: 1, terminalTx: 2, terminalFraud: 3 } as const;
export type HistoryItemKind = (typeof HISTORY_ITEM)[keyof typeof HISTORY_ITEM];

const LAYOUT_V1 = 1;
/** A block is cut at this size: far below Kafka's 1 MiB record limit. */
const BLOCK_BYTES = 256 * 1024;

/** The blocks of one commit, written as items are added. */
export class HistoryBlockWriter {
  private readonly writer = new ByteWriter();
  private maxTime = Number.NEGATIVE_INFINITY;
  private readonly full: { value: Buffer; maxTime: number }[] = [];

  add(kind: HistoryItemKind, id: string, t: number): void {
    if (this.writer.length === 0) this.writer.u8(LAYOUT_V1);
    this.writer.u8(kind);
    this.writer.string(id);
    this.writer.f64(t);
    if (t > this.maxTime) this.maxTime = t;
    if (this.writer.length >= BLOCK_BYTES) this.cut();
  }

  private cut(): void {
    this.full.push({ value: this.writer.take(), maxTime: this.maxTime });
    this.maxTime = Number.NEGATIVE_INFINITY;
  }

  /** The blocks since the last call (none when nothing was added); each with its latest time. */
  take(): { value: Buffer; maxTime: number }[] {
    if (this.writer.length > 0) this.cut();
    return this.full.splice(0);
  }
}

/** Calls `apply` for every item of a block, in order; returns the latest time. Throws on a corrupt block. */
export function readHistoryBlock(
  value: Buffer,
  apply: (kind: HistoryItemKind, id: string, t: number) => void,
): number {
  if (value[0] !== LAYOUT_V1) throw new InvalidRecordError(`history block: unknown layout ${value[0]}`);
  const reader = new ByteReader(value, 'history block', 1);
  let maxTime = Number.NEGATIVE_INFINITY;
  while (!reader.done) {
    const kind = reader.u8();
    if (kind > HISTORY_ITEM.terminalFraud)
      throw new InvalidRecordError(`history block: unknown item ${kind}`);
    const id = reader.string();
    const t = reader.f64();
    apply(kind as HistoryItemKind, id, t);
    if (t > maxTime) maxTime = t;
  }
  return maxTime;
}
