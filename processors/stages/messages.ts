/**
 * The internal topics between the two stages (JSON: internal, versioned with the code, never read
 * by users). Purchases and labels go to the merchant stage keyed by merchant, with the customer
 * task's watermark as heartbeats; merchant features come back to the customer task's partition.
 */

import { InvalidRecordError } from '../engine/task.ts';
import type { TxFacts } from '../features/types.ts';

export type MerchantInput =
  | { k: 'tx'; p: number; f: TxFacts; late: boolean }
  /** `tm`: the purchase's terminal ('' if unknown; absent from messages of earlier versions). */
  | { k: 'lb'; p: number; id: string; m: string; tm?: string; tt: number; r: number; fraud: boolean }
  /** Customer task `p` of `of` has released everything up to `wm`, or has nothing to send (idle). */
  | { k: 'wm'; p: number; of: number; wm: number; idle: boolean };

export interface MerchantFeaturesMessage {
  /** Transaction id. */
  id: string;
  /** Customer id. */
  c: string;
  v: Record<string, number>;
  late: boolean;
}

function parse(value: Buffer | null, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value?.toString('utf8') ?? '');
  } catch (cause) {
    throw new InvalidRecordError(`${what}: not JSON (${(cause as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidRecordError(`${what}: not an object`);
  return parsed as Record<string, unknown>;
}

export function parseMerchantInput(value: Buffer | null): MerchantInput {
  const message = parse(value, 'merchant input');
  if (typeof message.p !== 'number') throw new InvalidRecordError('merchant input: no partition');
  if (message.k === 'tx' && typeof message.f === 'object' && message.f !== null)
    return message as MerchantInput;
  if (message.k === 'lb' && typeof message.m === 'string' && typeof message.r === 'number')
    return message as MerchantInput;
  if (message.k === 'wm' && typeof message.of === 'number' && typeof message.wm === 'number')
    return message as MerchantInput;
  throw new InvalidRecordError(`merchant input: unknown kind ${JSON.stringify(message.k)}`);
}

/**
 * A record of the merchant features topic: every purchase of one customer partition a merchant
 * task emitted in one commit, as a JSON array — one record per commit and partition instead of
 * one per purchase. A single object (the layout of earlier versions) is read as a block of one.
 */
export function parseMerchantFeatures(value: Buffer | null): MerchantFeaturesMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value?.toString('utf8') ?? '');
  } catch (cause) {
    throw new InvalidRecordError(`merchant features: not JSON (${(cause as Error).message})`);
  }
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

/** A stable partition for a key, the same in every process (FNV-1a). */
export function partitionFor(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
