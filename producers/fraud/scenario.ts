/**
 * The one interface of a fraud scenario. A scenario is one file beside its siblings, registered in
 * fraud/index.ts with its parameter schema; its `rate` share of all fraud comes from config.
 */
import type { TObject } from 'typebox';
import type { Rng } from '../random.ts';
import type { TransactionDraft } from '../transactions/draft.ts';
import type { CustomerProfile } from '../world/types.ts';
import type { World } from '../world/world.ts';

/** What a scenario sees of one customer on one day. */
export interface CustomerDay {
  world: World;
  customer: CustomerProfile;
  /** Mutable per-customer state kept across days (e.g. a compromised card's window). */
  state: Record<string, unknown>;
  dayIndex: number;
  dayStartMs: number;
  /** The customer's own purchases of the day, in time order; a scenario may mark them as fraud. */
  transactions: TransactionDraft[];
  /** Adds a fraudster's transaction (it is sorted into the day afterwards). */
  add(draft: TransactionDraft): void;
  rng: Rng;
}

export interface ScenarioContext {
  world: World;
  seed: number;
  days: number;
  /**
   * How many fraudulent transactions this scenario should make per legitimate purchase, so that the
   * run's fraud rate comes out as configured; each scenario turns it into an episode probability.
   */
  targetPerLegit: number;
}

export interface FraudScenario<Params = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  /** TypeBox schema of the scenario's own parameters (besides `weight`). */
  readonly params: TObject;
  /** Called once per run; returns the per-customer-day hook. */
  prepare(context: ScenarioContext, params: Params): (day: CustomerDay) => void;
}
