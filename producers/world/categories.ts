/**
 * Merchant categories: their MCC, how often people buy there, what a purchase costs and when
 * in the day it happens. Amounts are log-normal per category (median and log-space sigma).
 */
export type MerchantCategory =
  | 'GROCERY'
  | 'RESTAURANT'
  | 'FAST_FOOD'
  | 'FUEL'
  | 'PHARMACY'
  | 'DEPARTMENT_STORE'
  | 'ELECTRONICS'
  | 'CLOTHING'
  | 'AIRLINE'
  | 'HOTEL'
  | 'ONLINE_RETAIL'
  | 'ENTERTAINMENT'
  | 'UTILITIES'
  | 'TRANSPORT'
  | 'DIGITAL_GOODS'
  | 'CASH_WITHDRAWAL';

/** When in the day a category's purchases happen; weights per hour 0..23. */
export type HourProfile = 'daytime' | 'meals' | 'evening' | 'commute' | 'flat';

export interface CategorySpec {
  category: MerchantCategory;
  mcc: string;
  /** Share of all purchases. */
  popularity: number;
  /** Share of merchants (how many shops of this kind exist). */
  merchantShare: number;
  medianAmountMinor: number;
  sigma: number;
  /** Fraction of this category's merchants that are online-only. */
  onlineShare: number;
  hours: HourProfile;
}

export const CATEGORIES: readonly CategorySpec[] = [
  {
    category: 'GROCERY',
    mcc: '5411',
    popularity: 22,
    merchantShare: 12,
    medianAmountMinor: 4_200,
    sigma: 0.7,
    onlineShare: 0.05,
    hours: 'daytime',
  },
  {
    category: 'RESTAURANT',
    mcc: '5812',
    popularity: 11,
    merchantShare: 14,
    medianAmountMinor: 3_800,
    sigma: 0.6,
    onlineShare: 0,
    hours: 'meals',
  },
  {
    category: 'FAST_FOOD',
    mcc: '5814',
    popularity: 13,
    merchantShare: 10,
    medianAmountMinor: 1_200,
    sigma: 0.5,
    onlineShare: 0.1,
    hours: 'meals',
  },
  {
    category: 'FUEL',
    mcc: '5541',
    popularity: 8,
    merchantShare: 6,
    medianAmountMinor: 4_500,
    sigma: 0.4,
    onlineShare: 0,
    hours: 'commute',
  },
  {
    category: 'PHARMACY',
    mcc: '5912',
    popularity: 5,
    merchantShare: 5,
    medianAmountMinor: 2_100,
    sigma: 0.7,
    onlineShare: 0.1,
    hours: 'daytime',
  },
  {
    category: 'DEPARTMENT_STORE',
    mcc: '5311',
    popularity: 6,
    merchantShare: 5,
    medianAmountMinor: 6_500,
    sigma: 0.8,
    onlineShare: 0.1,
    hours: 'daytime',
  },
  {
    category: 'ELECTRONICS',
    mcc: '5732',
    popularity: 2,
    merchantShare: 4,
    medianAmountMinor: 14_000,
    sigma: 1.0,
    onlineShare: 0.4,
    hours: 'daytime',
  },
  {
    category: 'CLOTHING',
    mcc: '5651',
    popularity: 5,
    merchantShare: 8,
    medianAmountMinor: 5_500,
    sigma: 0.7,
    onlineShare: 0.3,
    hours: 'daytime',
  },
  {
    category: 'AIRLINE',
    mcc: '4511',
    popularity: 0.8,
    merchantShare: 1,
    medianAmountMinor: 32_000,
    sigma: 0.6,
    onlineShare: 0.9,
    hours: 'flat',
  },
  {
    category: 'HOTEL',
    mcc: '7011',
    popularity: 1,
    merchantShare: 3,
    medianAmountMinor: 18_000,
    sigma: 0.6,
    onlineShare: 0.5,
    hours: 'flat',
  },
  {
    category: 'ONLINE_RETAIL',
    mcc: '5999',
    popularity: 9,
    merchantShare: 8,
    medianAmountMinor: 3_900,
    sigma: 0.9,
    onlineShare: 1,
    hours: 'evening',
  },
  {
    category: 'ENTERTAINMENT',
    mcc: '7832',
    popularity: 3,
    merchantShare: 5,
    medianAmountMinor: 2_800,
    sigma: 0.6,
    onlineShare: 0.3,
    hours: 'evening',
  },
  {
    category: 'UTILITIES',
    mcc: '4900',
    popularity: 2,
    merchantShare: 2,
    medianAmountMinor: 9_500,
    sigma: 0.5,
    onlineShare: 1,
    hours: 'flat',
  },
  {
    category: 'TRANSPORT',
    mcc: '4111',
    popularity: 6,
    merchantShare: 4,
    medianAmountMinor: 650,
    sigma: 0.6,
    onlineShare: 0.3,
    hours: 'commute',
  },
  {
    category: 'DIGITAL_GOODS',
    mcc: '5815',
    popularity: 4,
    merchantShare: 5,
    medianAmountMinor: 999,
    sigma: 0.8,
    onlineShare: 1,
    hours: 'evening',
  },
  {
    category: 'CASH_WITHDRAWAL',
    mcc: '6011',
    popularity: 2.2,
    merchantShare: 8,
    medianAmountMinor: 10_000,
    sigma: 0.6,
    onlineShare: 0,
    hours: 'daytime',
  },
];

const PROFILE_WEIGHTS: Record<HourProfile, readonly number[]> = {
  //          0    1    2    3    4    5    6    7    8    9   10   11   12   13   14   15   16   17   18   19   20   21   22   23
  daytime: [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.5, 2.5, 3.5, 4.5, 5.0, 5.5, 5.5, 5.0, 5.0, 5.5, 6.0, 5.5, 4.0, 3.0,
    2.0, 1.0, 0.5,
  ],
  meals: [
    0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 2.0, 3.0, 2.0, 1.5, 4.0, 7.0, 6.0, 2.5, 1.5, 1.5, 3.0, 6.0, 7.0, 5.0,
    3.0, 1.5, 0.8,
  ],
  evening: [
    1.5, 1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 3.5, 3.5, 3.5, 4.0, 4.5, 5.5, 6.5, 7.0,
    6.5, 5.0, 3.0,
  ],
  commute: [
    0.2, 0.1, 0.1, 0.1, 0.3, 1.0, 4.0, 7.0, 6.0, 3.0, 2.5, 2.5, 3.0, 3.0, 3.0, 3.5, 5.5, 7.0, 6.0, 3.0, 2.0,
    1.2, 0.8, 0.4,
  ],
  flat: [
    1.5, 1.0, 0.8, 0.7, 0.7, 1.0, 1.5, 2.5, 3.5, 4.0, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.0, 3.5,
    3.0, 2.5, 2.0,
  ],
};

export function hourWeights(profile: HourProfile): readonly number[] {
  return PROFILE_WEIGHTS[profile];
}

/** Relative purchase volume per weekday, Sunday = 0 (UTC day of week). */
export const WEEKDAY_FACTOR: readonly number[] = [0.85, 0.95, 0.95, 1.0, 1.05, 1.2, 1.1];
