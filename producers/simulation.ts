/**
 * One run's simulation: the world, the fraud scenarios and each customer's state, producing the
 * transactions of a simulated day. A customer's transactions depend only on the seed, the customer
 * and the day — never on which other customers this process owns.
 */
import { validateAgainst } from '../core/config/validate.ts';
import { type GeneratorConfig, startMsOf } from './config.ts';
import { FraudIntensity } from './drift/fraud-intensity.ts';
import { type DayConditions, DriftTimeline } from './drift/timeline.ts';
import type { CustomerDay } from './fraud/scenario.ts';
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
  const intensity = new FraudIntensity(
    shares.map(({ scenario, share, adds }) => ({
      name: scenario.name,
      share,
      adds,
      rate: timeline.scenarioRate(scenario.name),
    })),
  );
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
    const regimes = timeline.paramRegimes(scenario.name, params).map(({ fromDay, params: regime }) => ({
      fromDay,
      hook: scenario.prepare(
        context,
        validateAgainst(scenario.params, regime, `drift of ${scenario.name}`) as never,
      ),
    }));
    if (regimes.length === 1) return (regimes[0] as (typeof regimes)[number]).hook;
    return (day: CustomerDay) => {
      let current = regimes[0] as (typeof regimes)[number];
      for (const regime of regimes) if (regime.fromDay <= day.dayIndex) current = regime;
      current.hook(day);
    };
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
    if (hooks.length > 0) {
      const context: CustomerDay = {
        world,
        customer,
        state: state.scenarios,
        dayIndex,
        dayStartMs,
        activity: conditions.activity,
        transactions,
        add: (draft) => added.push(draft),
        rng,
      };
      for (const hook of hooks) hook(context);
    }
    const drafts =
      added.length > 0 ? transactions.concat(added).sort((a, b) => a.eventTime - b.eventTime) : transactions;
    for (const draft of drafts) {
      out.push({
        value: authorise(draft, customer, state.card, config.runId, config.declineRate, rng),
        customer,
        fraudScenario: draft.fraudScenario,
      });
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
