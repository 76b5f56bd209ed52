/** A customer's own purchases on one day: how many, where, when and for how much. */
import type { DayConditions } from '../drift/timeline.ts';
import type { Rng } from '../random.ts';
import { CATEGORIES } from '../world/categories.ts';
import type { CustomerProfile } from '../world/types.ts';
import { pickMerchant, type World } from '../world/world.ts';
import { draftAt, type TransactionDraft } from './draft.ts';
import { expectedPurchases, hourCdf, timeInDay, weekdayFactor } from './rhythm.ts';

const MAX_CATEGORY_DRAWS = 10_000;

/**
 * How many purchases a customer is expected to really make on a day: what they set out to buy,
 * less what the world has no merchant for. Fraud that scales with a customer's activity uses this.
 */
export function expectedOwnPurchases(customer: CustomerProfile, activity: number): number {
  return expectedPurchases(customer.transactionsPerDay, activity) * customer.purchaseShare;
}

/** A day without drift: the weekly rhythm only. */
export function ordinaryDay(dayStartMs: number): DayConditions {
  return { activity: weekdayFactor(dayStartMs), categoryWeights: null, categoryPeak: 1 };
}

/**
 * A category from the customer's own mix; when the day shifts the mix, by rejection against the
 * shifted weights (no table built per customer-day, and no extra draw on an unshifted day).
 */
function drawCategory(customer: CustomerProfile, day: DayConditions, rng: Rng): number {
  const weights = day.categoryWeights;
  // Bounded only against a mix with (nearly) every category at 0, which no draw could satisfy.
  for (let attempt = 0; ; attempt++) {
    const categoryIndex = rng.weighted(customer.categoryCdf);
    if (weights === null || attempt >= MAX_CATEGORY_DRAWS) return categoryIndex;
    if (rng.float() * day.categoryPeak < (weights[categoryIndex] as number)) return categoryIndex;
  }
}

export function dailyPurchases(
  world: World,
  customer: CustomerProfile,
  dayStartMs: number,
  day: DayConditions,
  rng: Rng,
): TransactionDraft[] {
  const count = rng.poisson(expectedPurchases(customer.transactionsPerDay, day.activity));
  const drafts: TransactionDraft[] = [];
  for (let i = 0; i < count; i++) {
    const categoryIndex = drawCategory(customer, day, rng);
    const spec = CATEGORIES[categoryIndex];
    if (!spec) continue;
    const onlineChance =
      spec.onlineShare >= 1
        ? 1
        : spec.onlineShare <= 0
          ? 0
          : spec.onlineShare * (0.5 + customer.onlineAffinity * 1.5);
    const online = rng.bool(onlineChance);
    const merchant =
      pickMerchant(world, customer, categoryIndex, online, rng) ??
      pickMerchant(world, customer, categoryIndex, !online, rng);
    if (!merchant) continue;
    let amount = rng.logNormal(spec.medianAmountMinor * customer.amountScale, spec.sigma);
    // Cash machines pay out in twenties.
    if (spec.category === 'CASH_WITHDRAWAL') amount = Math.max(2_000, Math.round(amount / 2_000) * 2_000);
    drafts.push(
      draftAt(merchant, timeInDay(rng, dayStartMs, hourCdf(categoryIndex)), amount, customer.device, rng),
    );
  }
  return drafts.sort((a, b) => a.eventTime - b.eventTime);
}
