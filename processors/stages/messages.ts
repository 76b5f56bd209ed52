/**
 * The internal topics between the two stages (internal, versioned with the code, never read by
 * users). Purchases and labels go to the merchant stage by merchant, with the customer task's
 * watermark as heartbeats; merchant features come back to the customer task's partition.
 *
 * Both directions are binary blocks (processors/engine/bytes.ts): every message of one commit for
 * one destination partition in one record, in order. One JSON record per purchase was a third of
 * the records the stages produced and parsed, after the merchant changelog. Records in the JSON
 * layout of earlier versions (one message per record, or a JSON array of merchant features) are
 * still read, as blocks of one message.
 */
import { ByteReader, ByteWriter } from '../engine/bytes.ts';
import { InvalidRecordError } from '../engine/task.ts';
import { merchantFeatureSpecs } from '../features/catalog.ts';
import type { MerchantTx } from '../features/merchant-history.ts';

export type MerchantInput =
  | { k: 'tx'; p: number; f: MerchantTx; late: boolean }
  /** `tm`: the purchase's terminal ('' if unknown; absent from messages of earlier versions). */
  | { k: 'lb'; p: number; id: string; m: string; tm?: string; tt: number; r: number; fraud: boolean }
  /** Customer task `p` of `of` has released everything up to `wm`, or has nothing to send (idle). */
  | { k: 'wm'; p: number; of: number; wm: number; idle: boolean };

export interface MerchantFeaturesMessage {
  /** Transaction id. */
  id: string;
  v: Record<string, number>;
  late: boolean;
}

/** A block's first byte: never `{` or `[`, the first byte of the JSON layouts. */
const MERCHANT_INPUT_V1 = 1;
const MERCHANT_FEATURES_V1 = 2;
const KIND = { tx: 0, lb: 1, wm: 2 } as const;
/** A block is cut at this size (Kafka refuses records over 1 MiB by default)… */
const BLOCK_BYTES = 256 * 1024;
/** …or at this many messages: the merchant task numbers a message by offset × BLOCK_SPAN + index. */
export const BLOCK_SPAN = 65_536;
const BLOCK_MESSAGES = 8192;

/** The merchant features in the order the binary layout carries their values. */
export const MERCHANT_FEATURE_NAMES: readonly string[] = merchantFeatureSpecs.map((spec) => spec.name);

/** Blocks per destination partition, written as messages are added; `take` hands them out. */
class PartitionBlocks {
  private readonly writers: ByteWriter[] = [];
  private readonly counts: number[] = [];
  private readonly full: { partition: number; value: Buffer }[] = [];
  private readonly tag: number;

  constructor(tag: number) {
    this.tag = tag;
  }

  /** The writer for one more message to `partition`. */
  protected start(partition: number): ByteWriter {
    let writer = this.writers[partition];
    if (!writer) {
      writer = new ByteWriter(16 * 1024);
      this.writers[partition] = writer;
      this.counts[partition] = 0;
    }
    if (writer.length === 0) writer.u8(this.tag);
    this.counts[partition] = (this.counts[partition] as number) + 1;
    return writer;
  }

  /** After a message: a block that is full enough is cut. */
  protected end(partition: number): void {
    const writer = this.writers[partition] as ByteWriter;
    if (writer.length >= BLOCK_BYTES || (this.counts[partition] as number) >= BLOCK_MESSAGES)
      this.cut(partition);
  }

  private cut(partition: number): void {
    this.full.push({ partition, value: (this.writers[partition] as ByteWriter).take() });
    this.counts[partition] = 0;
  }

  /** Every block since the last call, in the order written per partition. */
  take(): { partition: number; value: Buffer }[] {
    for (let partition = 0; partition < this.writers.length; partition++)
      if ((this.writers[partition]?.length ?? 0) > 0) this.cut(partition);
    return this.full.splice(0);
  }
}

export class MerchantInputBlocks extends PartitionBlocks {
  constructor() {
    super(MERCHANT_INPUT_V1);
  }

  tx(partition: number, from: number, tx: MerchantTx, late: boolean): void {
    const w = this.start(partition);
    w.u8(KIND.tx);
    w.u16(from);
    w.string(tx.transactionId);
    w.string(tx.customerId);
    w.string(tx.merchantId);
    w.string(tx.terminalId);
    w.f64(tx.eventTime);
    w.u8(late ? 1 : 0);
    this.end(partition);
  }

  label(partition: number, message: Omit<Extract<MerchantInput, { k: 'lb' }>, 'k'>): void {
    const w = this.start(partition);
    w.u8(KIND.lb);
    w.u16(message.p);
    w.string(message.id);
    w.string(message.m);
    w.string(message.tm ?? '');
    w.f64(message.tt);
    w.f64(message.r);
    w.u8(message.fraud ? 1 : 0);
    this.end(partition);
  }

  watermark(partition: number, from: number, of: number, watermark: number, idle: boolean): void {
    const w = this.start(partition);
    w.u8(KIND.wm);
    w.u16(from);
    w.u16(of);
    w.f64(watermark);
    w.u8(idle ? 1 : 0);
    this.end(partition);
  }
}

export class MerchantFeatureBlocks extends PartitionBlocks {
  constructor() {
    super(MERCHANT_FEATURES_V1);
  }

  add(
    partition: number,
    transactionId: string,
    values: Readonly<Record<string, number>>,
    late: boolean,
  ): void {
    const w = this.start(partition);
    if (w.length === 1) w.u16(MERCHANT_FEATURE_NAMES.length);
    w.string(transactionId);
    w.u8(late ? 1 : 0);
    for (let i = 0; i < MERCHANT_FEATURE_NAMES.length; i++)
      w.f64(values[MERCHANT_FEATURE_NAMES[i] as string] as number);
    this.end(partition);
  }
}

function parseJson(value: Buffer | null, what: string): unknown {
  try {
    return JSON.parse(value?.toString('utf8') ?? '');
  } catch (cause) {
    throw new InvalidRecordError(`${what}: not JSON (${(cause as Error).message})`);
  }
}

/** One message in the JSON layout of earlier versions. */
function merchantInputJson(value: Buffer | null): MerchantInput {
  const message = parseJson(value, 'merchant input') as Record<string, unknown> | null;
  if (typeof message !== 'object' || message === null)
    throw new InvalidRecordError('merchant input: not an object');
  if (typeof message.p !== 'number') throw new InvalidRecordError('merchant input: no partition');
  if (message.k === 'tx' && typeof message.f === 'object' && message.f !== null)
    return message as MerchantInput;
  if (message.k === 'lb' && typeof message.m === 'string' && typeof message.r === 'number')
    return message as MerchantInput;
  if (message.k === 'wm' && typeof message.of === 'number' && typeof message.wm === 'number')
    return message as MerchantInput;
  throw new InvalidRecordError(`merchant input: unknown kind ${JSON.stringify(message.k)}`);
}

/** The messages of one merchant-input record, in order; read whole before any is used. */
export function readMerchantInput(value: Buffer | null): MerchantInput[] {
  if (value === null || value.length === 0) throw new InvalidRecordError('merchant input: empty');
  if (value[0] !== MERCHANT_INPUT_V1) return [merchantInputJson(value)];
  const reader = new ByteReader(value, 'merchant input', 1);
  const messages: MerchantInput[] = [];
  while (!reader.done) {
    const kind = reader.u8();
    if (kind === KIND.tx) {
      const p = reader.u16();
      const f: MerchantTx = {
        transactionId: reader.string(),
        customerId: reader.string(),
        merchantId: reader.string(),
        terminalId: reader.string(),
        eventTime: reader.f64(),
      };
      messages.push({ k: 'tx', p, f, late: reader.u8() === 1 });
    } else if (kind === KIND.lb) {
      messages.push({
        k: 'lb',
        p: reader.u16(),
        id: reader.string(),
        m: reader.string(),
        tm: reader.string(),
        tt: reader.f64(),
        r: reader.f64(),
        fraud: reader.u8() === 1,
      });
    } else if (kind === KIND.wm) {
      messages.push({
        k: 'wm',
        p: reader.u16(),
        of: reader.u16(),
        wm: reader.f64(),
        idle: reader.u8() === 1,
      });
    } else {
      throw new InvalidRecordError(`merchant input: unknown message kind ${kind}`);
    }
  }
  if (messages.length > BLOCK_SPAN) throw new InvalidRecordError('merchant input: too many messages');
  return messages;
}

/**
 * A record of the merchant features topic: every purchase of one customer partition a merchant
 * task emitted in one commit. JSON (an array, or a single object) is the layout of earlier versions.
 */
export function parseMerchantFeatures(value: Buffer | null): MerchantFeaturesMessage[] {
  if (value !== null && value[0] === MERCHANT_FEATURES_V1) return merchantFeaturesBinary(value);
  const parsed = parseJson(value, 'merchant features');
  const messages = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  for (const message of messages) {
    const m = message as Partial<MerchantFeaturesMessage> | null;
    if (
      typeof m !== 'object' ||
      m === null ||
      typeof m.id !== 'string' ||
      typeof m.v !== 'object' ||
      m.v === null
    ) {
      throw new InvalidRecordError('merchant features: every entry needs an id and v');
    }
  }
  return messages as MerchantFeaturesMessage[];
}

function merchantFeaturesBinary(value: Buffer): MerchantFeaturesMessage[] {
  const reader = new ByteReader(value, 'merchant features', 1);
  const count = reader.u16();
  if (count !== MERCHANT_FEATURE_NAMES.length)
    throw new InvalidRecordError(
      `merchant features: ${count} values per purchase, this version has ${MERCHANT_FEATURE_NAMES.length}`,
    );
  const messages: MerchantFeaturesMessage[] = [];
  while (!reader.done) {
    const id = reader.string();
    const late = reader.u8() === 1;
    const v: Record<string, number> = {};
    for (const name of MERCHANT_FEATURE_NAMES) v[name] = reader.f64();
    messages.push({ id, v, late });
  }
  return messages;
}

/** A stable partition for a key, the same in every process (FNV-1a). */
export function partitionFor(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
