/**
 * Seeded randomness for the hot path. Every stream of draws is keyed by what it belongs to
 * (seed, customer, day, purpose), so a customer's events do not depend on which other customers a
 * process generates: that is what makes shards add up to the single-process stream.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** Mixes integers into one 32-bit seed (murmur3's finaliser per part). */
export function seedFor(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    let k = Math.imul(part | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    // Parts above 32 bits (epoch days are not, seeds may be) fold their high word in too.
    h ^= Math.floor(part / 0x1_0000_0000) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** What a draw is for: distinct purposes never share a stream. */
export const Purpose = {
  customer: 1,
  merchant: 2,
  customerDay: 3,
  merchantCompromise: 4,
  labels: 5,
  disputes: 6,
} as const;

/** A uniform draw in [0, 1) from the parts alone: for a yes/no asked of every record, no generator made. */
export function unitFor(...parts: number[]): number {
  return (seedFor(...parts) >>> 0) / 0x1_0000_0000;
}

export class Rng {
  private readonly generator: RandomGenerator;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.generator = xoroshiro128plus(seed);
  }

  static for(...parts: number[]): Rng {
    return new Rng(seedFor(...parts));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  bool(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Standard normal (Box–Muller, keeping the second value for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u = this.float();
    while (u === 0) u = this.float();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * this.float();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Log-normal with the given median and log-space sigma. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** Poisson count (Knuth for small means, normal approximation above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let product = this.float();
    let count = 0;
    while (product > limit) {
      count += 1;
      product *= this.float();
    }
    return count;
  }

  /** Index drawn from a cumulative weight table (last entry = total). */
  weighted(cumulative: Float64Array): number {
    const target = this.float() * (cumulative[cumulative.length - 1] ?? 0);
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulative[mid] ?? 0) > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}

export function cumulative(weights: readonly number[]): Float64Array {
  const table = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((weight, index) => {
    total += weight;
    table[index] = total;
  });
  return table;
}
