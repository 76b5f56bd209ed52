/**
 * What the drift schema alone cannot check: parameter changes against each scenario's own schema,
 * rate changes of scenarios that make no fraud, a fraud rate the schedule would push past the
 * generator's bound, a mix with every category gone.
 */
import Value from 'typebox/value';
import { configIssues } from '../../core/config/validate.ts';
import type { ConfigIssue } from '../../core/errors.ts';
import type { GeneratorConfig } from '../config.ts';
import { SCENARIOS } from '../fraud/index.ts';
import { fraudShares } from '../fraud/shares.ts';
import { fraudIntensityOf } from './fraud-intensity.ts';
import { DriftTimeline } from './timeline.ts';

/** The generator's own bound on fraud.rate, which a schedule must not exceed either. */
const MAX_FRAUD_RATE = 0.5;

export function driftIssues(config: GeneratorConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { drift } = config;
  drift.seasonality.paydays.forEach((payday, i) => {
    if (payday === 0)
      issues.push({ path: `/drift/seasonality/paydays/${i}`, message: 'must not be 0 (-1 is the last day)' });
  });

  const shares = fraudShares(config);
  const making = new Set(shares.map(({ scenario }) => scenario.name));
  const configured = config.fraud.scenarios as Record<string, Record<string, unknown> | undefined>;
  drift.scenarios.forEach((change, i) => {
    const path = `/drift/scenarios/${i}`;
    if (change.rate !== undefined && change.rate > 0 && !making.has(change.scenario) && config.fraud.rate > 0)
      issues.push({
        path: `${path}/rate`,
        message: `${change.scenario} has weight 0 in this run: a multiple of its share is still 0`,
      });
    if (change.rate === undefined && change.params === undefined)
      issues.push({ path, message: 'changes nothing: give a rate, params or both' });
    const scenario = SCENARIOS.find((candidate) => candidate.name === change.scenario);
    if (!scenario || change.params === undefined) return;
    const { weight: _weight, recall: _recall, ...base } = configured[change.scenario] ?? {};
    const merged = Value.Default(scenario.params, {
      ...structuredClone(base),
      ...structuredClone(change.params),
    });
    const converted = Value.Convert(scenario.params, merged);
    if (!Value.Check(scenario.params, converted))
      for (const issue of configIssues(scenario.params, converted))
        issues.push({ path: `${path}/params${issue.path}`, message: issue.message });
  });

  const timeline = new DriftTimeline(drift, 0);
  const lastDay = Math.max(
    0,
    ...drift.scenarios.map((change) => change.day + change.rampDays),
    ...drift.categories.map((change) => change.day + change.rampDays),
  );
  const intensity = fraudIntensityOf(shares, timeline);
  const peak = intensity.peakFraudRate(lastDay);
  if (peak > MAX_FRAUD_RATE)
    issues.push({
      path: '/drift/scenarios',
      message: `would raise the fraud rate to ${peak.toFixed(3)} (fraud.rate × each scenario's rate multiple; at most ${MAX_FRAUD_RATE})`,
    });

  for (const change of drift.categories) {
    const day = change.day + change.rampDays;
    const weights = timeline.conditions(day).categoryWeights;
    if (weights?.every((weight) => weight === 0)) {
      issues.push({ path: '/drift/categories', message: `leaves no category with any weight on day ${day}` });
      break;
    }
  }
  return issues;
}
