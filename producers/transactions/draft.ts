import type { Rng } from '../random.ts';
import type { Channel, Device, MerchantProfile } from '../world/types.ts';

export type EntryMode =
  | 'CHIP'
  | 'CONTACTLESS'
  | 'MAGSTRIPE'
  | 'MANUAL_KEY'
  | 'CARD_ON_FILE'
  | 'TOKENIZED_WALLET';
export type TransactionType = 'PURCHASE' | 'CASH_WITHDRAWAL' | 'REFUND' | 'RECURRING';

/** A transaction before it gets its id, sequence number and authorisation outcome. */
export interface TransactionDraft {
  eventTime: number;
  merchant: MerchantProfile;
  terminalIndex: number;
  /** Minor units of the merchant's currency. */
  amountMinor: number;
  channel: Channel;
  entryMode: EntryMode;
  transactionType: TransactionType;
  /** The device of a card-not-present purchase (the customer's own, or a fraudster's). */
  device: Device | null;
  /** Set when the transaction is fraud: the scenario that made it. Never on the wire. */
  fraudScenario: string | null;
}

/** A draft at `merchant`, with channel and entry mode that fit how it was made. */
export function draftAt(
  merchant: MerchantProfile,
  eventTime: number,
  amountMinor: number,
  device: Device,
  rng: Rng,
  fraudScenario: string | null = null,
): TransactionDraft {
  const cashWithdrawal = merchant.spec.category === 'CASH_WITHDRAWAL';
  let channel: Channel;
  let entryMode: EntryMode;
  if (merchant.onlineOnly) {
    channel = device.type === 'MOBILE' && rng.bool(0.6) ? 'MOBILE_APP' : 'ECOMMERCE';
    entryMode =
      channel === 'MOBILE_APP' && rng.bool(0.5)
        ? 'TOKENIZED_WALLET'
        : rng.bool(0.6)
          ? 'CARD_ON_FILE'
          : 'MANUAL_KEY';
  } else if (cashWithdrawal) {
    channel = 'ATM';
    entryMode = rng.bool(0.95) ? 'CHIP' : 'MAGSTRIPE';
  } else {
    channel = 'CARD_PRESENT';
    const draw = rng.float();
    entryMode =
      draw < 0.5 ? 'CONTACTLESS' : draw < 0.93 ? 'CHIP' : draw < 0.97 ? 'TOKENIZED_WALLET' : 'MAGSTRIPE';
  }
  const recurring =
    merchant.spec.category === 'UTILITIES' || (merchant.spec.category === 'DIGITAL_GOODS' && rng.bool(0.3));
  return {
    eventTime,
    merchant,
    terminalIndex: Math.floor(rng.float() * merchant.terminalIds.length),
    amountMinor: Math.max(1, Math.round(amountMinor)),
    channel,
    entryMode,
    transactionType: cashWithdrawal ? 'CASH_WITHDRAWAL' : recurring ? 'RECURRING' : 'PURCHASE',
    device: merchant.onlineOnly ? device : null,
    fraudScenario,
  };
}
