/**
 * The one interface of a fraud scenario. A scenario is one file beside its siblings, registered in
 * fraud/index.ts with its parameter schema; its `rate` share of all fraud comes from config.
 */
import type { TObject } from 'typebox';
import type { Rng } from '../random.ts';
import type { TransactionRecord } from '../records.ts';
import type { TransactionDraft } from '../transactions/draft.ts';
import { profileHourCdf } from '../transactions/rhythm.ts';
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
  /** The day's purchases as a multiple of a usual day's (weekday, payday, holiday: drift/timeline.ts). */
  activity: number;
  /**
   * Adaptive fraudsters (`fraud.adaptive`): how much the scenario's fraudsters have learned of the
   * issuer's declines by this day, 0 (nothing, and always without adaptation) to 1.
   */
  caution: number;
  /** The customer's own purchases of the day, in time order; a scenario may mark them as fraud. */
  transactions: TransactionDraft[];
  /** Adds a fraudster's transaction (it is sorted into the day afterwards). */
  add(draft: TransactionDraft): void;
  rng: Rng;
}

/** How hard a run's fraud is to tell from legitimate purchases. */
export const DIFFICULTIES = ['easy', 'realistic', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/**
 * How strongly the scenarios show their telltale signals (an inflated amount, a burst, a jump in
 * place) at each difficulty; 1 is their parameters as configured. The bands each level gives a
 * trained baseline are measured (bench/evaluation/difficulty.ts), not assumed.
 */
export const SIGNAL_STRENGTH: Readonly<Record<Difficulty, number>> = { easy: 3, realistic: 1, hard: 0.15 };

/** A multiplier's excess over 1 scaled by the signal strength: 5× at `realistic` is 2.2× at `hard`. */
export function scaledMultiplier(multiplier: number, difficulty: Difficulty): number {
  return 1 + (multiplier - 1) * SIGNAL_STRENGTH[difficulty];
}

/**
 * When a fraudster of an added-purchase scenario acts: any hour (night included, a telltale), or
 * when a weaker signal is asked for, in the daytime like most shoppers.
 */
export function fraudsterHours(difficulty: Difficulty): Float64Array {
  return profileHourCdf(SIGNAL_STRENGTH[difficulty] < 1 ? 'daytime' : 'flat');
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
  /** Scales each scenario's signal (SIGNAL_STRENGTH); `realistic` leaves the parameters as they are. */
  difficulty: Difficulty;
  /**
   * The scenario's drift on a day: what its episode probability is multiplied by so that its fraud
   * rate follows the run's schedule (drift/fraud-intensity.ts); 1 every day without one.
   */
  intensity(dayIndex: number): number;
  /** The highest `intensity` of the run's days (for a scenario that plans its fraud up front). */
  peakIntensity: number;
}

/**
 * How often a trained baseline finds a scenario's fraud at `realistic` (measured per scenario:
 * evaluation/README.md). Difficulty shifts the mix towards one kind: `easy` makes the often-found
 * scenarios three times as frequent, `hard` the rarely-found ones; the fraud rate stays as set.
 */
export type Detectability = 'often' | 'rarely';

export const MIX: Readonly<Record<Difficulty, Readonly<Record<Detectability, number>>>> = {
  easy: { often: 3, rarely: 1 },
  realistic: { often: 1, rarely: 1 },
  hard: { often: 1, rarely: 3 },
};

export interface FraudScenario<Params = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly detectability: Detectability;
  /**
   * The share of its fraud a cardholder or the card network ever reports when no investigator
   * reviews the card (the default of its `recall` setting; ground-truth/README.md).
   */
  readonly recall: number;
  /** TypeBox schema of the scenario's own parameters (besides `weight`). */
  readonly params: TObject;
  /** Called once per run; returns the per-customer-day hook. */
  prepare(context: ScenarioContext, params: Params): (day: CustomerDay) => void;
  /**
   * Adaptive fraudsters only (opt-in, `fraud.adaptive`): how the scenario reacts to the issuer's
   * answer to one of its transactions. Called once per authorised transaction of the scenario;
   * `drafts[next…]` are the customer's purchases of the day not yet authorised, in time order,
   * which the reaction may delay or remove. Returns true when it moved any (they are re-sorted).
   */
  prepareReaction?(context: ScenarioContext, params: Params): Reaction;
}

export type Reaction = (
  record: TransactionRecord,
  draft: TransactionDraft,
  day: CustomerDay,
  drafts: TransactionDraft[],
  next: number,
) => boolean;
