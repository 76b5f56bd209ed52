import { describe, expect, it } from 'vitest';
import { haversineKm } from '../../../../core/geo.ts';
import { Rng } from '../../../../producers/random.ts';
import { buildMerchant } from '../../../../producers/world/merchants.ts';
import { NearestMerchants } from '../../../../producers/world/nearest.ts';
import type { MerchantProfile } from '../../../../producers/world/types.ts';

/** What the index must equal: measure every merchant, sort by (km, number), keep k. */
function bruteForce(
  pool: Int32Array,
  merchants: readonly MerchantProfile[],
  lat: number,
  lon: number,
  k: number,
) {
  return Array.from(pool, (m) => ({
    m,
    km: haversineKm(
      lat,
      lon,
      (merchants[m] as MerchantProfile).latitude,
      (merchants[m] as MerchantProfile).longitude,
    ),
  }))
    .sort((a, b) => a.km - b.km || a.m - b.m)
    .slice(0, k)
    .map(({ m }) => m);
}

function query(index: NearestMerchants, lat: number, lon: number, k: number): number[] {
  const out = new Int32Array(k + 2).fill(-1);
  const found = index.nearest(lat, lon, out, 1);
  expect(out[0]).toBe(-1);
  return Array.from(out.subarray(1, 1 + found));
}

describe('nearest merchants', () => {
  const merchants = Array.from({ length: 3000 }, (_, no) => buildMerchant(5, no, false));
  const rng = Rng.for(5, 9, 9, 9);

  it('finds exactly the k nearest a full sort finds, for pools of every size and points in and out of town', () => {
    for (const size of [0, 1, 3, 4, 5, 40, 400, 3000]) {
      const pool = Int32Array.from({ length: size }, (_, i) => i);
      const index = new NearestMerchants(pool, merchants, 4);
      for (let q = 0; q < 200; q++) {
        const anchor = merchants[q % merchants.length] as MerchantProfile;
        // Near a merchant, or up to ~100 km away (outside every grid).
        const spread = q % 5 === 0 ? 1 : 0.02;
        const lat = anchor.latitude + (rng.float() - 0.5) * spread;
        const lon = anchor.longitude + (rng.float() - 0.5) * spread;
        expect(query(index, lat, lon, 4), `pool ${size}, query ${q}`).toEqual(
          bruteForce(pool, merchants, lat, lon, 4),
        );
      }
    }
  });

  it('breaks ties in distance by merchant number, as the sort does', () => {
    const twin = merchants[7] as MerchantProfile;
    const same = [7, 3, 11, 2, 9].map((no) => ({
      ...(merchants[no] as MerchantProfile),
      no,
      latitude: twin.latitude,
      longitude: twin.longitude,
    }));
    const byNo: MerchantProfile[] = [];
    for (const merchant of same) byNo[merchant.no] = merchant;
    const pool = Int32Array.from([7, 3, 11, 2, 9]);
    const index = new NearestMerchants(pool, byNo, 4);
    expect(query(index, twin.latitude + 0.001, twin.longitude, 4)).toEqual([2, 3, 7, 9]);
  });
});
