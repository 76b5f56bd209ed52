/**
 * Handbook scenario 2: a terminal is compromised for a period; every purchase through it meanwhile
 * is fraud. Which terminals and when depends on the seed only, so every shard agrees. Busy
 * terminals mark many more purchases than quiet ones, so windows are placed against an estimate of
 * each terminal's traffic (a sample of customers shopping for a fortnight) until the expected
 * marked share reaches the target.
 */
import Type from 'typebox';
import { Purpose, Rng } from '../random.ts';
import { dailyPurchases, ordinaryDay } from '../transactions/purchases.ts';
import { DAY_MS } from '../transactions/rhythm.ts';
import { customerOf, type World } from '../world/world.ts';
import { type FraudScenario, SIGNAL_STRENGTH } from './scenario.ts';

const Params = Type.Object(
  {
    durationDays: Type.Integer({
      minimum: 1,
      maximum: 365,
      default: 28,
      description: 'How long a compromise lasts',
    }),
  },
  { additionalProperties: false, default: {} },
);

const SAMPLE_CUSTOMERS = 1500;
const SAMPLE_DAYS = 14;
const TRAFFIC_SALT = 0x7e57;
const THINNING_SALT = 0x7417;

/** Share of all legitimate purchases that go through each terminal. */
function terminalTraffic(world: World, seed: number): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  const sample = Math.min(world.totalCustomers, SAMPLE_CUSTOMERS);
  for (let no = 0; no < sample; no++) {
    const customer = customerOf(seed, no, world.startMs, world.nearestByCity, world.onlineByCategory);
    for (let day = 0; day < SAMPLE_DAYS; day++) {
      const rng = Rng.for(seed, Purpose.merchantCompromise, TRAFFIC_SALT, no, day);
      const dayStartMs = world.startMs + day * DAY_MS;
      for (const draft of dailyPurchases(world, customer, dayStartMs, ordinaryDay(dayStartMs), rng)) {
        const terminal = draft.merchant.terminalIds[draft.terminalIndex] ?? '';
        counts.set(terminal, (counts.get(terminal) ?? 0) + 1);
        total += 1;
      }
    }
  }
  for (const [terminal, count] of counts) counts.set(terminal, count / Math.max(1, total));
  return counts;
}

export const compromisedTerminal: FraudScenario<{ durationDays: number }> = {
  name: 'compromised_terminal',
  description: 'All purchases at a compromised terminal for a period (handbook scenario 2).',
  detectability: 'rarely',
  // Assumed, not measured: skimmed cards: most victims notice, some amounts are small.
  recall: 0.8,
  params: Params,
  prepare(
    { world, seed, days, targetPerLegit, intensity, peakIntensity, difficulty },
    { durationDays: configured },
  ) {
    // A weaker signal: shorter compromises, over before the merchant's delayed windows see them
    // (never longer: the windows are only seen a label delay late anyway).
    const durationDays = Math.max(1, Math.round(configured * Math.min(1, SIGNAL_STRENGTH[difficulty])));
    const traffic = terminalTraffic(world, seed);
    const terminals = [...traffic.keys()].sort();
    // [from, to, thinning]: under a drift schedule windows are placed for the peak intensity, and a
    // window is open on a day only while the day's intensity / peak exceeds its own draw, so the
    // marked share follows the schedule (without drift every window is open throughout).
    const windows = new Map<string, [number, number, number][]>();
    const rng = Rng.for(seed, Purpose.merchantCompromise, days, durationDays);
    // Its own stream: placing the windows draws exactly as without drift.
    const thinningRng = Rng.for(seed, Purpose.merchantCompromise, days, durationDays, THINNING_SALT);
    const target = targetPerLegit * peakIntensity;
    let expected = 0;
    for (let attempt = 0; attempt < 100_000 && expected < target && terminals.length > 0; attempt++) {
      const terminal = terminals[Math.floor(rng.float() * terminals.length)] as string;
      // Windows may start before day 0, so the first days already see compromises under way.
      const from = rng.int(1 - durationDays, days - 1);
      const to = from + durationDays;
      const list = windows.get(terminal) ?? [];
      if (list.some(([a, b]) => from < b && a < to)) continue;
      const overlapDays = Math.min(to, days) - Math.max(from, 0);
      const contribution = ((traffic.get(terminal) ?? 0) * overlapDays) / days;
      // Stop short of a large overshoot: one busy terminal can be a big share of all purchases.
      if (expected + contribution > target * 1.05) continue;
      list.push([from, to, thinningRng.float()]);
      windows.set(terminal, list);
      expected += contribution;
    }
    return (day) => {
      for (const draft of day.transactions) {
        if (draft.fraudScenario !== null) continue;
        const list = windows.get(draft.merchant.terminalIds[draft.terminalIndex] ?? '');
        if (
          list?.some(
            ([from, to, thinning]) =>
              day.dayIndex >= from && day.dayIndex < to && thinning * peakIntensity < intensity(day.dayIndex),
          )
        ) {
          draft.fraudScenario = 'compromised_terminal';
        }
      }
    };
  },
};
