/**
 * Resource quotas: what one control plane lets its callers start. A size limit is about the run
 * itself (422: it will never fit, ask for less); a concurrency limit is about now (429: it may fit
 * once another run finishes). Both errors name the limit and its value, so a caller can act.
 */
import type { ControlPlaneConfig } from '../../core/config/schema.ts';
import { SynfinError } from '../../core/errors.ts';
import type { RunSpec } from './spec.ts';

export type Quotas = ControlPlaneConfig['quotas'];

/** Simulated customer-days: the size of the world times the time it lives through. */
export function customerDays(spec: RunSpec): number {
  return spec.customers * (spec.mode === 'backfill' ? spec.days : 1);
}

function tooLarge(limit: keyof Quotas, max: number, requested: number, what: string): SynfinError {
  return new SynfinError(
    'RUN_TOO_LARGE',
    `${what} ${requested} is over the quota ${limit} = ${max} of this control plane`,
    { details: { limit, max, requested } },
  );
}

/** Throws RUN_TOO_LARGE when a run (or a new rate) is bigger than one run may be. */
export function checkRunSize(spec: RunSpec, quotas: Quotas): void {
  const size = customerDays(spec);
  if (size > quotas.maxCustomerDays)
    throw tooLarge('maxCustomerDays', quotas.maxCustomerDays, size, 'customers × days');
  if (spec.mode !== 'realtime') return;
  checkRate(spec.ratePerSecond, quotas);
  // A shaped rate is as large as its highest stage.
  for (const stage of spec.rateShape?.stages ?? []) checkRate(stage.ratePerSecond, quotas);
}

export function checkRate(ratePerSecond: number, quotas: Quotas): void {
  if (ratePerSecond > quotas.maxRatePerSecond)
    throw tooLarge('maxRatePerSecond', quotas.maxRatePerSecond, ratePerSecond, 'a rate of');
}

/** Throws RUN_QUOTA_EXCEEDED when starting one more run would pass a concurrency limit. */
export function checkConcurrency(
  active: { total: number; byOwner: number },
  owner: string | null,
  quotas: Quotas,
): void {
  if (active.total >= quotas.maxActiveRuns)
    throw new SynfinError(
      'RUN_QUOTA_EXCEEDED',
      `${active.total} runs are active, the quota maxActiveRuns = ${quotas.maxActiveRuns}: wait for one to finish or stop one`,
      { details: { limit: 'maxActiveRuns', max: quotas.maxActiveRuns, active: active.total } },
    );
  if (owner !== null && active.byOwner >= quotas.maxActiveRunsPerKey)
    throw new SynfinError(
      'RUN_QUOTA_EXCEEDED',
      `key ${owner} has ${active.byOwner} active runs, the quota maxActiveRunsPerKey = ${quotas.maxActiveRunsPerKey}`,
      { details: { limit: 'maxActiveRunsPerKey', max: quotas.maxActiveRunsPerKey, active: active.byOwner } },
    );
}
