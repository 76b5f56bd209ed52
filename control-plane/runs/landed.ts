/**
 * What the sinks hold of a run, each counted the way its descriptor says. A run resumed after a
 * restart cannot rely on its stages' counters (they start from zero), so it completes once the
 * sinks hold what its producer wrote.
 */
import type { Config } from '../../core/config/schema.ts';
import { sinkConnection, sinkDescriptor } from '../../sinks/registry.ts';
import type { RecordKind } from '../../sinks/tables.ts';
import type { RunPlan } from './spec.ts';

export type LandedCounter = (plan: RunPlan) => Promise<Record<string, number>>;

/** Counts keyed `<sink>.<kind>`. */
export function sinkLandedCounter(config: Config): LandedCounter {
  return async (plan) => {
    const landed: Record<string, number> = {};
    const settings = plan.sinks;
    for (const name of settings?.sinks ?? []) {
      const counts = await sinkDescriptor(name).landed(
        sinkConnection(config, name),
        plan.topics as Partial<Record<RecordKind, string>>,
        settings?.[name].kinds ?? [],
      );
      for (const [kind, n] of Object.entries(counts)) landed[`${name}.${kind}`] = n;
    }
    return landed;
  };
}

/** What the producer's counts say a kind's topic holds once the run is done; undefined: not checked. */
function expectedOf(kind: string, plan: RunPlan, produced: Record<string, number>): number | undefined {
  if (kind === 'features') return plan.processors ? (produced.transactions ?? 0) : undefined;
  if (kind === 'customers' || kind === 'merchants' || kind === 'transactions' || kind === 'labels')
    return produced[kind] ?? 0;
  return undefined;
}

/** Whether the sinks hold everything the producer wrote (and, with processors, a feature row per purchase). */
export function allLanded(
  plan: RunPlan,
  produced: Record<string, number>,
  landed: Record<string, number>,
): boolean {
  return Object.entries(landed).every(([key, n]) => {
    const expected = expectedOf(key.slice(key.indexOf('.') + 1), plan, produced);
    return expected === undefined || n >= expected;
  });
}
