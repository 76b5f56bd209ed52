import type { CategorySpec } from './categories.ts';
import type { City } from './geo.ts';

export type CardBrand = 'VISA' | 'MASTERCARD' | 'AMEX' | 'DISCOVER';
export type CardType = 'CREDIT' | 'DEBIT' | 'PREPAID';
export type Channel = 'CARD_PRESENT' | 'ECOMMERCE' | 'MOBILE_APP' | 'ATM';
export type Segment = 'MASS' | 'AFFLUENT' | 'STUDENT' | 'SENIOR' | 'SMALL_BUSINESS';
export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH';
export type DeviceType = 'DESKTOP' | 'MOBILE' | 'TABLET';

export interface Device {
  id: string;
  type: DeviceType;
  ip: string;
  ipCountry: string;
  userAgentFamily: string;
}

export interface CustomerProfile {
  /** Position in the world (0-based); shards own customers by it. */
  no: number;
  id: string;
  accountId: string;
  cardId: string;
  cardLast4: string;
  cardBrand: CardBrand;
  cardType: CardType;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  birthDateDays: number;
  gender: 'FEMALE' | 'MALE' | 'UNDISCLOSED';
  street: string;
  postalCode: string;
  city: City;
  homeLatitude: number;
  homeLongitude: number;
  segment: Segment;
  currency: string;
  creditLimitMinor: number;
  /** Median purchase as a multiple of a category's median. */
  amountScale: number;
  transactionsPerDay: number;
  preferredChannel: Channel;
  /** Share of card-not-present purchases where the category allows both. */
  onlineAffinity: number;
  /** Cumulative weights over CATEGORIES: where this customer spends. */
  categoryCdf: Float64Array;
  /** Per category, up to FAVOURITES merchant numbers, nearest first (-1 = none). */
  favourites: Int32Array;
  /**
   * Share of this customer's intended purchases the world can serve: a category with neither a web
   * store nor a shop in their city has nowhere to buy, so those purchases never happen. Fraud that
   * scales with the customer's purchases scales with what they really buy, or a small world would
   * overshoot its fraud rate.
   */
  purchaseShare: number;
  device: Device;
  createdAt: number;
}

export interface MerchantProfile {
  no: number;
  id: string;
  name: string;
  spec: CategorySpec;
  categoryIndex: number;
  city: City;
  latitude: number;
  longitude: number;
  currency: string;
  riskLevel: RiskLevel;
  onlineOnly: boolean;
  terminalIds: string[];
  /** True for merchants abroad, which only fraud reaches. */
  foreign: boolean;
}

export const FAVOURITES = 4;
