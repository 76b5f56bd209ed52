/**
 * The values put on Kafka, shaped exactly as the Avro schemas in schemas/ (times are epoch
 * milliseconds, money is integer minor units).
 */
import type { CustomerProfile, MerchantProfile } from './world/types.ts';

export interface CustomerRecord {
  customerId: string;
  accountId: string;
  cardId: string;
  cardLast4: string;
  cardBrand: string;
  cardType: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  birthDate: number;
  gender: string;
  street: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  homeLatitude: number;
  homeLongitude: number;
  segment: string;
  creditLimitMinor: number;
  currency: string;
  meanAmountMinor: number;
  transactionsPerDay: number;
  preferredChannel: string;
  createdAt: number;
  updatedAt: number;
  /** The run whose world this belongs to (ids repeat across runs). */
  runId: string;
}

export interface MerchantRecord {
  merchantId: string;
  name: string;
  mcc: string;
  category: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  currency: string;
  riskLevel: string;
  onlineOnly: boolean;
  terminalIds: string[];
  updatedAt: number;
  /** The run whose world this belongs to (ids repeat across runs). */
  runId: string;
}

export interface TransactionRecord {
  transactionId: string;
  eventTime: number;
  customerId: string;
  accountId: string;
  cardId: string;
  cardLast4: string;
  cardBrand: string;
  cardType: string;
  merchantId: string;
  terminalId: string;
  merchantName: string;
  mcc: string;
  merchantCategory: string;
  merchantCity: string;
  merchantCountry: string;
  merchantLatitude: number;
  merchantLongitude: number;
  amountMinor: number;
  currency: string;
  billingAmountMinor: number;
  billingCurrency: string;
  fxRate: number;
  channel: string;
  entryMode: string;
  cardPresent: boolean;
  transactionType: string;
  isRecurring: boolean;
  installments: number;
  deviceId: string | null;
  deviceType: string | null;
  ipAddress: string | null;
  ipCountry: string | null;
  userAgentFamily: string | null;
  threeDsResult: string | null;
  cvvProvided: boolean;
  pinVerified: boolean;
  terminalLatitude: number | null;
  terminalLongitude: number | null;
  localHour: number;
  authResult: 'APPROVED' | 'DECLINED';
  responseCode: string;
  declineReason: string | null;
  authCode: string | null;
  issuerRiskScore: number;
  balanceAfterMinor: number;
  sequenceNumber: number;
  runId: string;
}

export interface FraudLabelRecord {
  labelId: string;
  transactionId: string;
  customerId: string;
  cardId: string;
  merchantId: string;
  isFraud: boolean;
  scenario: string;
  reportChannel: 'CHARGEBACK' | 'CUSTOMER_REPORT' | 'ISSUER_REVIEW';
  amountMinor: number;
  currency: string;
  transactionTime: number;
  reportedAt: number;
  runId: string;
  /** REPORTED (fraud), CLEARED (not fraud), CORRECTED (overturns the version before). */
  labelStatus: LabelStatus;
  /** 1 for a transaction's first label, 2 for the correction that overturns it. */
  labelVersion: number;
  /** False when a later version will overturn this one (the simulator knows; an issuer would not). */
  labelFinal: boolean;
}

export type LabelStatus = 'REPORTED' | 'CLEARED' | 'CORRECTED';

export function customerRecord(customer: CustomerProfile, at: number, runId: string): CustomerRecord {
  return {
    customerId: customer.id,
    accountId: customer.accountId,
    cardId: customer.cardId,
    cardLast4: customer.cardLast4,
    cardBrand: customer.cardBrand,
    cardType: customer.cardType,
    firstName: customer.firstName,
    lastName: customer.lastName,
    email: customer.email,
    phone: customer.phone,
    birthDate: customer.birthDateDays,
    gender: customer.gender,
    street: customer.street,
    city: customer.city.name,
    region: customer.city.region,
    postalCode: customer.postalCode,
    country: customer.city.country,
    homeLatitude: customer.homeLatitude,
    homeLongitude: customer.homeLongitude,
    segment: customer.segment,
    creditLimitMinor: customer.creditLimitMinor,
    currency: customer.currency,
    meanAmountMinor: Math.round(4_000 * customer.amountScale),
    transactionsPerDay: Math.round(customer.transactionsPerDay * 1000) / 1000,
    preferredChannel: customer.preferredChannel,
    createdAt: customer.createdAt,
    updatedAt: at,
    runId,
  };
}

export function merchantRecord(merchant: MerchantProfile, at: number, runId: string): MerchantRecord {
  return {
    merchantId: merchant.id,
    name: merchant.name,
    mcc: merchant.spec.mcc,
    category: merchant.spec.category,
    city: merchant.city.name,
    country: merchant.city.country,
    latitude: merchant.latitude,
    longitude: merchant.longitude,
    currency: merchant.currency,
    riskLevel: merchant.riskLevel,
    onlineOnly: merchant.onlineOnly,
    terminalIds: merchant.terminalIds,
    updatedAt: at,
    runId,
  };
}
