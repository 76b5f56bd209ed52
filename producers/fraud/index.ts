import { accountTakeover } from './account-takeover.ts';
import { amountThreshold } from './amount-threshold.ts';
import { cardTesting } from './card-testing.ts';
import { compromisedCard } from './compromised-card.ts';
import { compromisedTerminal } from './compromised-terminal.ts';
import { impossibleTravel } from './impossible-travel.ts';
import type { FraudScenario } from './scenario.ts';

/** Every fraud scenario, by name. A new scenario is a new file and one line here. */
export const SCENARIOS: readonly FraudScenario<never>[] = [
  amountThreshold,
  compromisedTerminal,
  compromisedCard,
  cardTesting,
  accountTakeover,
  impossibleTravel,
] as FraudScenario<never>[];

/** Whether a scenario adds the fraudster's transactions (true) or turns the customer's own into fraud. */
export const MARKING_SCENARIOS: ReadonlySet<string> = new Set(['compromised_terminal', 'compromised_card']);
