/**
 * Turns a draft into the issuer's record of an authorisation: ids, conversion to the billing
 * currency, approval or decline against the card's limit, and the issuer's risk score — which sees
 * only what an issuer could see, never the fraud label.
 */

import { haversineKm } from '../../core/geo.ts';
import type { Rng } from '../random.ts';
import type { TransactionRecord } from '../records.ts';
import { USD_PER_UNIT } from '../world/geo.ts';
import type { CustomerProfile } from '../world/types.ts';
import type { TransactionDraft } from './draft.ts';
import { DAY_MS, HOUR_MS } from './rhythm.ts';

/** What the issuer remembers of a card between authorisations. */
export interface CardState {
  sequence: number;
  spentThisMonthMinor: number;
  month: number;
}

export function newCardState(): CardState {
  return { sequence: 0, spentThisMonthMinor: 0, month: -1 };
}

const THREE_DS = [
  'AUTHENTICATED',
  'AUTHENTICATED',
  'AUTHENTICATED',
  'AUTHENTICATED',
  'AUTHENTICATED',
  'AUTHENTICATED',
  'AUTHENTICATED',
  'ATTEMPTED',
  'NOT_ENROLLED',
  'FAILED',
];
const RANDOM_DECLINES = [
  ['DO_NOT_HONOR', '05'],
  ['EXPIRED_CARD', '54'],
  ['INCORRECT_PIN', '55'],
] as const;
const AUTH_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

let cachedDay = Number.NaN;
let cachedMonth = 0;

/** Calendar month number of an instant; the Date is built once per simulated day, not per purchase. */
function monthOf(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const date = new Date(day * DAY_MS);
    cachedDay = day;
    cachedMonth = date.getUTCFullYear() * 12 + date.getUTCMonth();
  }
  return cachedMonth;
}

export function authorise(
  draft: TransactionDraft,
  customer: CustomerProfile,
  card: CardState,
  runId: string,
  declineRate: number,
  rng: Rng,
): TransactionRecord {
  const month = monthOf(draft.eventTime);
  if (month !== card.month) {
    // Statements settle monthly: the limit is available again.
    card.month = month;
    card.spentThisMonthMinor = 0;
  }
  card.sequence += 1;
  const merchant = draft.merchant;
  const fxRate = USD_PER_UNIT[merchant.currency] ?? 1;
  const billingAmountMinor = Math.max(1, Math.round(draft.amountMinor * fxRate));
  const available = customer.creditLimitMinor - card.spentThisMonthMinor;
  const online = draft.channel === 'ECOMMERCE' || draft.channel === 'MOBILE_APP';
  const newDevice = online && draft.device !== null && draft.device.id !== customer.device.id;
  const distanceKm = haversineKm(
    customer.homeLatitude,
    customer.homeLongitude,
    merchant.latitude,
    merchant.longitude,
  );

  // The issuer's score: what looks unusual from the outside (distance, new device, amount, foreign).
  const amountRatio = billingAmountMinor / (4_000 * customer.amountScale);
  const rawScore =
    60 +
    (merchant.foreign ? 250 : 0) +
    (newDevice ? 200 : 0) +
    Math.min(200, Math.max(0, Math.log(amountRatio + 1e-9) * 60)) +
    Math.min(150, distanceKm / 20) +
    (draft.entryMode === 'MAGSTRIPE' || draft.entryMode === 'MANUAL_KEY' ? 60 : 0) +
    rng.normal() * 40;
  const issuerRiskScore = Math.max(0, Math.min(999, Math.round(rawScore)));

  let declineReason: string | null = null;
  let responseCode = '00';
  if (billingAmountMinor > available) {
    declineReason = customer.cardType === 'CREDIT' ? 'LIMIT_EXCEEDED' : 'INSUFFICIENT_FUNDS';
    responseCode = customer.cardType === 'CREDIT' ? '61' : '51';
  } else if (issuerRiskScore > 600 && rng.bool(0.35)) {
    declineReason = 'SUSPECTED_FRAUD';
    responseCode = '59';
  } else if (rng.bool(declineRate)) {
    const [reason, code] =
      RANDOM_DECLINES[draft.channel === 'ATM' ? rng.int(0, 2) : rng.int(0, 1)] ?? RANDOM_DECLINES[0];
    declineReason = reason;
    responseCode = code;
  }
  const approved = declineReason === null;
  if (approved) card.spentThisMonthMinor += billingAmountMinor;

  let authCode: string | null = null;
  if (approved) {
    authCode = '';
    for (let i = 0; i < 6; i++) authCode += AUTH_CODE_ALPHABET[rng.int(0, AUTH_CODE_ALPHABET.length - 1)];
  }
  const cardPresent = draft.channel === 'CARD_PRESENT' || draft.channel === 'ATM';
  const device = online ? draft.device : null;
  return {
    transactionId: `${runId}-${customer.id}-${card.sequence}`,
    eventTime: draft.eventTime,
    customerId: customer.id,
    accountId: customer.accountId,
    cardId: customer.cardId,
    cardLast4: customer.cardLast4,
    cardBrand: customer.cardBrand,
    cardType: customer.cardType,
    merchantId: merchant.id,
    terminalId: merchant.terminalIds[draft.terminalIndex] ?? merchant.terminalIds[0] ?? merchant.id,
    merchantName: merchant.name,
    mcc: merchant.spec.mcc,
    merchantCategory: merchant.spec.category,
    merchantCity: merchant.city.name,
    merchantCountry: merchant.city.country,
    merchantLatitude: merchant.latitude,
    merchantLongitude: merchant.longitude,
    amountMinor: draft.amountMinor,
    currency: merchant.currency,
    billingAmountMinor,
    billingCurrency: customer.currency,
    fxRate,
    channel: draft.channel,
    entryMode: draft.entryMode,
    cardPresent,
    transactionType: draft.transactionType,
    isRecurring: draft.transactionType === 'RECURRING',
    installments: 1,
    deviceId: device?.id ?? null,
    deviceType: device?.type ?? null,
    ipAddress: device?.ip ?? null,
    ipCountry: device?.ipCountry ?? null,
    userAgentFamily: device?.userAgentFamily ?? null,
    threeDsResult:
      draft.channel === 'ECOMMERCE' ? (newDevice ? rng.pick(THREE_DS.slice(6)) : rng.pick(THREE_DS)) : null,
    cvvProvided: online ? rng.bool(0.95) : false,
    pinVerified: draft.channel === 'ATM' || (draft.entryMode === 'CHIP' && rng.bool(0.4)),
    terminalLatitude: cardPresent ? merchant.latitude : null,
    terminalLongitude: cardPresent ? merchant.longitude : null,
    localHour: Math.floor((draft.eventTime % DAY_MS) / HOUR_MS),
    authResult: approved ? 'APPROVED' : 'DECLINED',
    responseCode,
    declineReason,
    authCode,
    issuerRiskScore,
    balanceAfterMinor: customer.creditLimitMinor - card.spentThisMonthMinor,
    sequenceNumber: card.sequence,
    runId,
  };
}
