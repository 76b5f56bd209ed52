import { cumulative, Purpose, Rng, seedFor } from '../random.ts';
import { CATEGORIES } from './categories.ts';
import { HOME_CITIES, offsetKm } from './geo.ts';
import { faker } from './seeded-faker.ts';
import type { CardBrand, CardType, Channel, CustomerProfile, DeviceType, Segment } from './types.ts';

const CITY_CDF = cumulative(HOME_CITIES.map((city) => city.weight));
const SEGMENTS: readonly Segment[] = [
  'MASS',
  'MASS',
  'MASS',
  'MASS',
  'AFFLUENT',
  'STUDENT',
  'SENIOR',
  'SENIOR',
  'SMALL_BUSINESS',
];
const BRANDS: readonly CardBrand[] = ['VISA', 'VISA', 'VISA', 'MASTERCARD', 'MASTERCARD', 'AMEX', 'DISCOVER'];
const DEVICE_TYPES: readonly DeviceType[] = ['MOBILE', 'MOBILE', 'DESKTOP', 'TABLET'];
const USER_AGENTS = ['Chrome', 'Safari', 'Firefox', 'Edge', 'iOS App', 'Android App'];

/** How a segment spends: amount scale, purchases per day, credit limit (USD cents), online affinity. */
const SEGMENT_PROFILE: Record<Segment, { scale: number; perDay: number; limit: number; online: number }> = {
  MASS: { scale: 1, perDay: 2.2, limit: 500_000, online: 0.3 },
  AFFLUENT: { scale: 2.2, perDay: 3.2, limit: 2_500_000, online: 0.4 },
  STUDENT: { scale: 0.6, perDay: 2.6, limit: 150_000, online: 0.55 },
  SENIOR: { scale: 0.9, perDay: 1.4, limit: 600_000, online: 0.15 },
  SMALL_BUSINESS: { scale: 1.8, perDay: 3.8, limit: 3_000_000, online: 0.35 },
};

export function customerId(no: number): string {
  return `C${String(no).padStart(7, '0')}`;
}

/** Customer `no` of the world: the same for a seed whatever else is generated. */
export function buildCustomer(
  seed: number,
  no: number,
  startMs: number,
): Omit<CustomerProfile, 'favourites' | 'purchaseShare'> {
  const rng = Rng.for(seed, Purpose.customer, no);
  const city = HOME_CITIES[rng.weighted(CITY_CDF)] ?? HOME_CITIES[0];
  if (!city) throw new Error('no cities');
  const segment = rng.pick(SEGMENTS);
  const profile = SEGMENT_PROFILE[segment];
  const [homeLatitude, homeLongitude] = offsetKm(
    city.latitude,
    city.longitude,
    rng.normal() * 8,
    rng.normal() * 8,
  );
  // Everyone has a few favourite kinds of shop: category weights scaled by a personal taste.
  const categoryCdf = cumulative(CATEGORIES.map((spec) => spec.popularity * rng.logNormal(1, 0.6)));
  const onlineAffinity = Math.min(0.95, Math.max(0.02, profile.online * rng.logNormal(1, 0.4)));
  const preferredChannel: Channel = onlineAffinity > 0.5 ? 'ECOMMERCE' : 'CARD_PRESENT';

  faker.seed(seedFor(seed, Purpose.customer, no, 1));
  const sex = rng.bool(0.5) ? 'female' : 'male';
  const firstName = faker.person.firstName(sex);
  const lastName = faker.person.lastName();
  const id = customerId(no);
  const age =
    segment === 'STUDENT' ? rng.int(18, 25) : segment === 'SENIOR' ? rng.int(65, 90) : rng.int(24, 64);
  const birthDateDays = Math.floor(startMs / 86_400_000) - age * 365 - rng.int(0, 364);
  const deviceNo = seedFor(seed, no, 7) >>> 0;
  return {
    no,
    id,
    accountId: `A${String(no).padStart(7, '0')}`,
    cardId: `K${String(no).padStart(7, '0')}-1`,
    cardLast4: String(rng.int(0, 9999)).padStart(4, '0'),
    cardBrand: rng.pick(BRANDS),
    cardType: (rng.bool(0.55) ? 'CREDIT' : rng.bool(0.9) ? 'DEBIT' : 'PREPAID') as CardType,
    firstName,
    lastName,
    email: faker.internet.email({ firstName, lastName }).toLowerCase(),
    phone: faker.phone.number({ style: 'national' }),
    birthDateDays,
    gender: rng.bool(0.03) ? 'UNDISCLOSED' : sex === 'female' ? 'FEMALE' : 'MALE',
    street: faker.location.streetAddress(),
    postalCode: faker.location.zipCode(),
    city,
    homeLatitude: Math.round(homeLatitude * 1e6) / 1e6,
    homeLongitude: Math.round(homeLongitude * 1e6) / 1e6,
    segment,
    currency: 'USD',
    creditLimitMinor: Math.round((profile.limit * rng.logNormal(1, 0.3)) / 1000) * 1000,
    amountScale: profile.scale * rng.logNormal(1, 0.35),
    transactionsPerDay: profile.perDay * rng.logNormal(1, 0.4),
    preferredChannel,
    onlineAffinity,
    categoryCdf,
    device: {
      id: `D${deviceNo.toString(16).padStart(8, '0')}`,
      type: rng.pick(DEVICE_TYPES),
      ip: `${rng.int(24, 99)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      ipCountry: city.country,
      userAgentFamily: rng.pick(USER_AGENTS),
    },
    createdAt: startMs - rng.int(30, 3650) * 86_400_000,
  };
}
