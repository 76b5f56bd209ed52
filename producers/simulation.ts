/**
 * One run's simulation: the world, the fraud scenarios and each customer's state, producing the
 * transactions of a simulated day. A customer's transactions depend only on the seed, the customer
 * and the day — never on which other customers this process owns.
 */
import { validateAgainst } from '../core/config/validate.ts';
import { type GeneratorConfig, startMsOf } from './config.ts';
import { fraudIntensityOf } from './drift/fraud-intensity.ts';
import { type DayConditions, DriftTimeline } from './drift/timeline.ts';
import type { CustomerDay, Reaction } from './fraud/scenario.ts';
import { addedShare, fraudShares } from './fraud/shares.ts';
import { Purpose, Rng } from './random.ts';
import type { TransactionRecord } from './records.ts';
import { authorise, type CardState, newCardState } from './transactions/authorise.ts';
import { DayOrder } from './transactions/day-order.ts';
import type { TransactionDraft } from './transactions/draft.ts';
import { dailyPurchases } from './transactions/purchases.ts';
import { DAY_MS } from './transactions/rhythm.ts';
import type { CustomerProfile } from './world/types.ts';
import { buildWorld, type World } from './world/world.ts';

export interface GeneratedTransaction {
  value: TransactionRecord;
  customer: CustomerProfile;
  /** The scenario that made it fraud, or null. Ground truth: never on the transactions topic. */
  fraudScenario: string | null;
}

interface CustomerState {
  card: CardState;
  scenarios: Record<string, unknown>;
}

export interface Simulation {
  readonly world: World;
  readonly startMs: number;
  /** Every owned customer's transactions of simulated day `dayIndex`, in time order. */
  day(dayIndex: number): GeneratedTransaction[];
  /**
   * The same day built a few customers at a time, so that a realtime run can spread the next day's
   * work over the current one instead of stopping for it at midnight. Days are built in order, one
   * at a time: a customer's state runs on from one day into the next.
   */
  dayBuilder(dayIndex: number): DayBuilder;
}

export interface DayBuilder {
  /** Builds up to `customers` more customers' transactions; true once every customer is done. */
  build(customers: number): boolean;
  /** Customers still to build. */
  readonly remaining: number;
  /** The whole day, to be read in time order (builds what is left first). */
  ordered(): DayOrder;
}

/** Sorts `drafts[from…]` by time in place (a handful of purchases: insertion sort). */
function sortFrom(drafts: TransactionDraft[], from: number): void {
  for (let i = from + 1; i < drafts.length; i++) {
    const draft = drafts[i] as TransactionDraft;
    let j = i - 1;
    for (; j >= from && (drafts[j] as TransactionDraft).eventTime > draft.eventTime; j--)
      drafts[j + 1] = drafts[j] as TransactionDraft;
    drafts[j + 1] = draft;
  }
}

export function createSimulation(config: GeneratorConfig, startMs = startMsOf(config)): Simulation {
  const world = buildWorld({
    seed: config.seed,
    customers: config.customers,
    merchants: config.merchants,
    startMs,
    shard: config.shard,
  });

  // Each scenario's fraud per legitimate purchase: its share of all transactions over the share
  // that is legitimate (added fraud grows the total, marked fraud does not).
  const shares = fraudShares(config);
  const addedRate = addedShare(shares);
  const timeline = new DriftTimeline(config.drift, startMs);
  const intensity = fraudIntensityOf(shares, timeline);
  // Adaptive fraudsters: each scenario's reaction to the issuer's answers, by scenario name.
  const adaptive = config.fraud.adaptive.enabled;
  const reactions = new Map<string, Reaction>();
  const learningDays = config.fraud.adaptive.learningDays;
  const hooks = shares.map(({ scenario, settings: s, share }, index) => {
    const { weight: _weight, recall: _recall, ...params } = s;
    const context = {
      world,
      seed: config.seed,
      days: config.days,
      targetPerLegit: share / (1 - addedRate),
      difficulty: config.fraud.difficulty,
      intensity: (dayIndex: number) => intensity.of(index, dayIndex),
      peakIntensity: intensity.peak(index, config.days - 1),
    };
    // A parameter change in the schedule starts a new regime: the scenario prepared again with them.
    const regimes = timeline.paramRegimes(scenario.name, params).map(({ fromDay, params: regime }) => {
      const valid = validateAgainst(scenario.params, regime, `drift of ${scenario.name}`) as never;
      return {
        fromDay,
        hook: scenario.prepare(context, valid),
        react: adaptive ? scenario.prepareReaction?.(context, valid) : undefined,
      };
    });
    const first = regimes[0] as (typeof regimes)[number];
    const current = (dayIndex: number) => {
      let found = first;
      for (const regime of regimes) if (regime.fromDay <= dayIndex) found = regime;
      return found;
    };
    if (first.react) {
      reactions.set(scenario.name, (record, draft, day, drafts, next) =>
        (current(day.dayIndex).react as Reaction)(record, draft, day, drafts, next),
      );
    }
    return regimes.length === 1 ? first.hook : (day: CustomerDay) => current(day.dayIndex).hook(day);
  });

  // Indexed like world.customers: one state per owned customer.
  const states: CustomerState[] = world.customers.map(() => ({ card: newCardState(), scenarios: {} }));
  /** One customer's transactions of a day, appended to `out` (their state moves on by a day). */
  const buildCustomer = (
    c: number,
    dayIndex: number,
    dayStartMs: number,
    conditions: DayConditions,
    out: DayOrder,
  ) => {
    const customer = world.customers[c] as CustomerProfile;
    const state = states[c] as CustomerState;
    const rng = Rng.for(config.seed, Purpose.customerDay, customer.no, dayIndex);
    const transactions = dailyPurchases(world, customer, dayStartMs, conditions, rng);
    const added: TransactionDraft[] = [];
    let context: CustomerDay | undefined;
    if (hooks.length > 0) {
      context = {
        world,
        customer,
        state: state.scenarios,
        dayIndex,
        dayStartMs,
        activity: conditions.activity,
        caution: adaptive ? 1 - Math.exp(-dayIndex / learningDays) : 0,
        transactions,
        add: (draft) => added.push(draft),
        rng,
      };
      for (const hook of hooks) hook(context);
    }
    const drafts =
      added.length > 0 ? transactions.concat(added).sort((a, b) => a.eventTime - b.eventTime) : transactions;
    for (let i = 0; i < drafts.length; i++) {
      const draft = drafts[i] as TransactionDraft;
      const value = authorise(draft, customer, state.card, config.runId, config.declineRate, rng);
      out.push({ value, customer, fraudScenario: draft.fraudScenario });
      const react =
        draft.fraudScenario === null || !adaptive || !context
          ? undefined
          : reactions.get(draft.fraudScenario);
      // A fraudster's reaction may delay or drop what it had not done yet: the rest back in time order.
      if (react?.(value, draft, context as CustomerDay, drafts, i + 1)) sortFrom(drafts, i + 1);
    }
  };

  const dayBuilder = (dayIndex: number): DayBuilder => {
    const dayStartMs = startMs + dayIndex * DAY_MS;
    const out = new DayOrder(dayStartMs);
    const conditions = timeline.conditions(dayIndex);
    let next = 0;
    const build = (customers: number) => {
      const end = Math.min(world.customers.length, next + customers);
      for (; next < end; next++) buildCustomer(next, dayIndex, dayStartMs, conditions, out);
      return next >= world.customers.length;
    };
    return {
      build,
      get remaining() {
        return world.customers.length - next;
      },
      ordered() {
        build(Number.POSITIVE_INFINITY);
        return out;
      },
    };
  };

  return {
    world,
    startMs,
    day: (dayIndex) => dayBuilder(dayIndex).ordered().all(),
    dayBuilder,
  };
}
