/**
 * The run's fraud rate split between its scenarios: by weight, the weights shifted by difficulty
 * towards the scenarios a baseline finds often or rarely (MIX). Each share is a fraction of all
 * transactions; fraud that adds purchases grows the total, marked fraud does not.
 */
import { type GeneratorConfig, type ScenarioSettings, scenarioSettings } from '../config.ts';
import { MARKING_SCENARIOS, SCENARIOS } from './index.ts';
import { type FraudScenario, MIX } from './scenario.ts';

export interface FraudShare {
  scenario: FraudScenario<never>;
  settings: ScenarioSettings;
  /** Its share of all transactions. */
  share: number;
  /** True when it adds the fraudster's purchases (false: it marks the customer's own). */
  adds: boolean;
}

/** The scenarios that make fraud in this run (weight and rate above 0), in registry order. */
export function fraudShares(config: GeneratorConfig): FraudShare[] {
  const mix = MIX[config.fraud.difficulty];
  const weighted = scenarioSettings(config).flatMap(([name, settings]) => {
    const scenario = SCENARIOS.find((candidate) => candidate.name === name);
    return scenario ? [{ scenario, settings, weight: settings.weight * mix[scenario.detectability] }] : [];
  });
  const totalWeight = weighted.reduce((sum, { weight }) => sum + weight, 0);
  if (config.fraud.rate <= 0 || totalWeight <= 0) return [];
  return weighted
    .filter(({ weight }) => weight > 0)
    .map(({ scenario, settings, weight }) => ({
      scenario,
      settings,
      share: (config.fraud.rate * weight) / totalWeight,
      adds: !MARKING_SCENARIOS.has(scenario.name),
    }));
}

/** The combined share of the scenarios that add purchases. */
export function addedShare(shares: readonly FraudShare[]): number {
  return shares.reduce((sum, { share, adds }) => sum + (adds ? share : 0), 0);
}
