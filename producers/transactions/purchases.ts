/** A customer's own purchases on one day: how many, where, when and for how much. */
import type { Rng } from '../random.ts';
import { CATEGORIES } from '../world/categories.ts';
import type { CustomerProfile } from '../world/types.ts';
import { pickMerchant, type World } from '../world/world.ts';
import { draftAt, type TransactionDraft } from './draft.ts';
import { expectedPurchases, hourCdf, timeInDay } from './rhythm.ts';

/**
 * How many purchases a customer is expected to really make on a day: what they set out to buy,
 * less what the world has no merchant for. Fraud that scales with a customer's activity uses this.
 */
export function expectedOwnPurchases(customer: CustomerProfile, dayStartMs: number): number {
  return expectedPurchases(customer.transactionsPerDay, dayStartMs) * customer.purchaseShare;
}

export function dailyPurchases(
  world: World,
  customer: CustomerProfile,
  dayStartMs: number,
  rng: Rng,
): TransactionDraft[] {
  const count = rng.poisson(expectedPurchases(customer.transactionsPerDay, dayStartMs));
  const drafts: TransactionDraft[] = [];
  for (let i = 0; i < count; i++) {
    const categoryIndex = rng.weighted(customer.categoryCdf);
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
