import { cumulative, Purpose, Rng, seedFor } from '../random.ts';
import { CATEGORIES } from './categories.ts';
import { FOREIGN_CITIES, HOME_CITIES, offsetKm } from './geo.ts';
import { faker } from './seeded-faker.ts';
import type { MerchantProfile, RiskLevel } from './types.ts';

const CATEGORY_CDF = cumulative(CATEGORIES.map((spec) => spec.merchantShare));
const CITY_CDF = cumulative(HOME_CITIES.map((city) => city.weight));
const RISK: readonly RiskLevel[] = [
  'LOW',
  'LOW',
  'LOW',
  'LOW',
  'LOW',
  'LOW',
  'MEDIUM',
  'MEDIUM',
  'MEDIUM',
  'HIGH',
];

export function merchantId(no: number): string {
  return `M${String(no).padStart(6, '0')}`;
}

/** Merchant `no` of the world: the same for a seed whatever else is generated. */
export function buildMerchant(seed: number, no: number, foreign: boolean): MerchantProfile {
  const rng = Rng.for(seed, Purpose.merchant, no);
  const categoryIndex = rng.weighted(CATEGORY_CDF);
  const spec = CATEGORIES[categoryIndex] ?? CATEGORIES[0];
  if (!spec) throw new Error('no merchant categories');
  const city = foreign ? rng.pick(FOREIGN_CITIES) : (HOME_CITIES[rng.weighted(CITY_CDF)] ?? HOME_CITIES[0]);
  if (!city) throw new Error('no cities');
  const onlineOnly = spec.onlineShare >= 1 || (spec.onlineShare > 0 && rng.bool(spec.onlineShare));
  // Shops spread over the metro area: within ~15 km of the centre, denser in the middle.
  const [latitude, longitude] = offsetKm(city.latitude, city.longitude, rng.normal() * 7, rng.normal() * 7);
  faker.seed(seedFor(seed, Purpose.merchant, no, 1));
  const id = merchantId(no);
  const terminals = onlineOnly ? 1 : rng.int(1, 4);
  return {
    no,
    id,
    name: faker.company.name(),
    spec,
    categoryIndex,
    city,
    latitude: Math.round(latitude * 1e6) / 1e6,
    longitude: Math.round(longitude * 1e6) / 1e6,
    currency: city.currency,
    riskLevel: foreign ? 'HIGH' : rng.pick(RISK),
    onlineOnly,
    terminalIds: Array.from({ length: terminals }, (_, t) => `${id}-T${t + 1}`),
    foreign,
  };
}
