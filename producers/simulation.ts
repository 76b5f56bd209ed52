/**
 * One run's simulation: the world, the fraud scenarios and each customer's state, producing the
 * transactions of a simulated day. A customer's transactions depend only on the seed, the customer
 * and the day — never on which other customers this process owns.
 */
import { type GeneratorConfig, type ScenarioSettings, scenarioSettings, startMsOf } from './config.ts';
import { MARKING_SCENARIOS, SCENARIOS } from './fraud/index.ts';
import { type CustomerDay, MIX } from './fraud/scenario.ts';
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

  // Split the fraud rate between scenarios by weight, then convert it to fraud per legitimate
  // purchase: added fraud grows the total, marked fraud does not.
  // Difficulty shifts the configured weights towards the scenarios a baseline finds often or rarely.
  const mix = MIX[config.fraud.difficulty];
  const settings = scenarioSettings(config).map(([name, s]): [string, ScenarioSettings] => {
    const scenario = SCENARIOS.find((candidate) => candidate.name === name);
    return [name, { ...s, weight: s.weight * (scenario ? mix[scenario.detectability] : 1) }];
  });
  const totalWeight = settings.reduce((sum, [, s]) => sum + s.weight, 0);
  const addedRate = settings
    .filter(([name]) => !MARKING_SCENARIOS.has(name))
    .reduce((sum, [, s]) => sum + (totalWeight > 0 ? (config.fraud.rate * s.weight) / totalWeight : 0), 0);
  const hooks = settings
    .filter(([, s]) => s.weight > 0 && config.fraud.rate > 0)
    .map(([name, s]) => {
      const scenario = SCENARIOS.find((candidate) => candidate.name === name);
      if (!scenario) throw new Error(`unknown scenario ${name}`);
      const share = (config.fraud.rate * s.weight) / totalWeight;
      const { weight: _weight, recall: _recall, ...params } = s;
      return scenario.prepare(
        {
          world,
          seed: config.seed,
          days: config.days,
          targetPerLegit: share / (1 - addedRate),
          difficulty: config.fraud.difficulty,
        },
        params as never,
      );
    });

  // Indexed like world.customers: one state per owned customer.
  const states: CustomerState[] = world.customers.map(() => ({ card: newCardState(), scenarios: {} }));
  /** One customer's transactions of a day, appended to `out` (their state moves on by a day). */
  const buildCustomer = (c: number, dayIndex: number, dayStartMs: number, out: DayOrder) => {
    const customer = world.customers[c] as CustomerProfile;
    const state = states[c] as CustomerState;
    const rng = Rng.for(config.seed, Purpose.customerDay, customer.no, dayIndex);
    const transactions = dailyPurchases(world, customer, dayStartMs, rng);
    const added: TransactionDraft[] = [];
    if (hooks.length > 0) {
      const context: CustomerDay = {
        world,
        customer,
        state: state.scenarios,
        dayIndex,
        dayStartMs,
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
    let next = 0;
    const build = (customers: number) => {
      const end = Math.min(world.customers.length, next + customers);
      for (; next < end; next++) buildCustomer(next, dayIndex, dayStartMs, out);
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
