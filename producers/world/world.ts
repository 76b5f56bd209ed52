/**
 * The synthetic world of one run: every merchant (shared reference data) and the customers this
 * process owns (its shard). Customers shop mostly at the few shops nearest home.
 */

import { haversineKm } from '../../core/geo.ts';
import type { Rng } from '../random.ts';
import { CATEGORIES } from './categories.ts';
import { buildCustomer } from './customers.ts';
import { buildMerchant } from './merchants.ts';
import { NearestMerchants } from './nearest.ts';
import { type CustomerProfile, FAVOURITES, type MerchantProfile } from './types.ts';

export interface WorldSpec {
  seed: number;
  customers: number;
  merchants: number;
  startMs: number;
  shard: { index: number; count: number };
}

export interface World {
  readonly seed: number;
  readonly startMs: number;
  /** Every merchant: home merchants first, then the foreign ones only fraud reaches. */
  readonly merchants: readonly MerchantProfile[];
  /** This shard's customers (all of them when there is one shard). */
  readonly customers: readonly CustomerProfile[];
  readonly onlineByCategory: readonly Int32Array[];
  readonly foreignOnline: Int32Array;
  readonly foreignPhysical: Int32Array;
  /** Physical home merchants per city name. */
  readonly physicalByCity: ReadonlyMap<string, Int32Array>;
  /** The keys of physicalByCity, for draws without allocating. */
  readonly cityNames: readonly string[];
  /**
   * Physical home merchants per city, by category index, indexed for nearest-merchant queries
   * (customers' favourites); undefined where a city has no shop of a category.
   */
  readonly nearestByCity: ReadonlyMap<string, readonly (NearestMerchants | undefined)[]>;
  /** Customers in the whole world, across shards. */
  readonly totalCustomers: number;
}

/** Foreign merchants: enough that every far-away city has shops and web stores. */
export function foreignMerchantCount(merchants: number): number {
  return Math.max(24, Math.round(merchants / 50));
}

export function ownsCustomer(shard: WorldSpec['shard'], no: number): boolean {
  return no % shard.count === shard.index;
}

export function buildWorld(spec: WorldSpec): World {
  const merchants: MerchantProfile[] = [];
  for (let no = 0; no < spec.merchants; no++) merchants.push(buildMerchant(spec.seed, no, false));
  const foreign = foreignMerchantCount(spec.merchants);
  for (let no = spec.merchants; no < spec.merchants + foreign; no++)
    merchants.push(buildMerchant(spec.seed, no, true));

  const onlineLists: number[][] = CATEGORIES.map(() => []);
  const physicalByCityCategory = new Map<string, number[][]>();
  const physicalByCityLists = new Map<string, number[]>();
  const foreignOnline: number[] = [];
  const foreignPhysical: number[] = [];
  for (const merchant of merchants) {
    if (merchant.foreign) {
      (merchant.onlineOnly ? foreignOnline : foreignPhysical).push(merchant.no);
    } else if (merchant.onlineOnly) {
      onlineLists[merchant.categoryIndex]?.push(merchant.no);
    } else {
      let byCategory = physicalByCityCategory.get(merchant.city.name);
      if (!byCategory) {
        byCategory = CATEGORIES.map(() => []);
        physicalByCityCategory.set(merchant.city.name, byCategory);
      }
      byCategory[merchant.categoryIndex]?.push(merchant.no);
      if (!physicalByCityLists.has(merchant.city.name)) physicalByCityLists.set(merchant.city.name, []);
      physicalByCityLists.get(merchant.city.name)?.push(merchant.no);
    }
  }

  const nearest = new Map(
    [...physicalByCityCategory].map(([city, byCategory]) => [
      city,
      byCategory.map((list) =>
        list.length > 0 ? new NearestMerchants(Int32Array.from(list), merchants, FAVOURITES) : undefined,
      ),
    ]),
  );
  const onlineByCategory = onlineLists.map((list) => Int32Array.from(list));
  const customers: CustomerProfile[] = [];
  for (let no = 0; no < spec.customers; no++) {
    if (ownsCustomer(spec.shard, no))
      customers.push(customerOf(spec.seed, no, spec.startMs, nearest, onlineByCategory));
  }

  return {
    seed: spec.seed,
    startMs: spec.startMs,
    merchants,
    customers,
    onlineByCategory,
    foreignOnline: Int32Array.from(foreignOnline),
    foreignPhysical: Int32Array.from(foreignPhysical),
    physicalByCity: new Map([...physicalByCityLists].map(([city, list]) => [city, Int32Array.from(list)])),
    cityNames: [...physicalByCityLists.keys()],
    nearestByCity: nearest,
    totalCustomers: spec.customers,
  };
}

/** Customer `no` with the shops nearest their home as favourites. */
export function customerOf(
  seed: number,
  no: number,
  startMs: number,
  nearestByCity: World['nearestByCity'],
  onlineByCategory: World['onlineByCategory'],
): CustomerProfile {
  const base = buildCustomer(seed, no, startMs);
  const favourites = new Int32Array(CATEGORIES.length * FAVOURITES).fill(-1);
  const byCategory = nearestByCity.get(base.city.name) ?? [];
  let servedWeight = 0;
  let previous = 0;
  for (let categoryIndex = 0; categoryIndex < CATEGORIES.length; categoryIndex++) {
    byCategory[categoryIndex]?.nearest(
      base.homeLatitude,
      base.homeLongitude,
      favourites,
      categoryIndex * FAVOURITES,
    );
    const cumulativeWeight = base.categoryCdf[categoryIndex] ?? previous;
    // pickMerchant serves a purchase online or, failing that, in person (and the other way round).
    const served =
      (onlineByCategory[categoryIndex]?.length ?? 0) > 0 ||
      (favourites[categoryIndex * FAVOURITES] ?? -1) >= 0;
    if (served) servedWeight += cumulativeWeight - previous;
    previous = cumulativeWeight;
  }
  return { ...base, favourites, purchaseShare: previous > 0 ? servedWeight / previous : 0 };
}

/**
 * Where a customer buys something of a category: online from a favourite web store, or in person,
 * nearest shops most likely. Returns undefined when the world has no such merchant.
 */
export function pickMerchant(
  world: World,
  customer: CustomerProfile,
  categoryIndex: number,
  online: boolean,
  rng: Rng,
): MerchantProfile | undefined {
  if (online) {
    const pool = world.onlineByCategory[categoryIndex];
    if (!pool || pool.length === 0) return undefined;
    // A stable favourite web store per customer and category, with some browsing around.
    const favourite = (customer.no * 31 + categoryIndex * 17) % pool.length;
    const index = rng.bool(0.7) ? favourite : Math.floor(rng.float() * pool.length);
    return world.merchants[pool[index] ?? 0];
  }
  const base = categoryIndex * FAVOURITES;
  // Nearest first: slot 0 about half the time, then fewer for each further shop.
  let slot = Math.min(FAVOURITES - 1, Math.floor(rng.exponential(0.9)));
  while (slot > 0 && (customer.favourites[base + slot] ?? -1) < 0) slot -= 1;
  const merchantNo = customer.favourites[base + slot] ?? -1;
  return merchantNo < 0 ? undefined : world.merchants[merchantNo];
}

/** A physical merchant at least `minKm` from home: somewhere the customer could not just have been. */
export function farAwayMerchant(
  world: World,
  customer: CustomerProfile,
  minKm: number,
  rng: Rng,
): MerchantProfile | undefined {
  for (let attempt = 0; attempt < 8; attempt++) {
    const useForeign = rng.bool(0.5) && world.foreignPhysical.length > 0;
    let merchantNo: number | undefined;
    if (useForeign) {
      merchantNo = world.foreignPhysical[Math.floor(rng.float() * world.foreignPhysical.length)];
    } else {
      const pool = world.physicalByCity.get(rng.pick(world.cityNames));
      if (pool && pool.length > 0) merchantNo = pool[Math.floor(rng.float() * pool.length)];
    }
    const merchant = merchantNo === undefined ? undefined : world.merchants[merchantNo];
    if (
      merchant &&
      haversineKm(customer.homeLatitude, customer.homeLongitude, merchant.latitude, merchant.longitude) >=
        minKm
    ) {
      return merchant;
    }
  }
  return undefined;
}
