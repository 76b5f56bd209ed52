/**
 * What adaptive fraudsters (`fraud.adaptive`) do to the in-flight rule score: the same seeded
 * backfill with and without adaptation, features computed by the processors' own tasks in memory
 * (as bench/evaluation/difficulty.ts), and per simulated week the share of each scenario's fraud
 * the rule score flags (riskScore ≥ the alert score). No services.
 */

import { streamFeatures } from '../../tests/fixtures/evaluation-rows.ts';
import { generatorConfig } from '../../tests/fixtures/generated.ts';
import { type BenchRow, report } from '../lib.ts';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 3000);
const DAYS = Number(process.env.BENCH_DAYS ?? 42);
const SEED = Number(process.env.BENCH_SEED ?? 1);
/** A flag: one rule of weight (an amount outlier, a burst, an impossible speed) has fired. */
const ALERT_SCORE = Number(process.env.BENCH_ALERT_SCORE ?? 25);
const WEEK_MS = 7 * 86_400_000;
const SCENARIOS = ['card_testing', 'amount_threshold', 'all fraud'] as const;

/** Per scenario and week: [flagged, fraud transactions]. */
function recallByWeek(adaptive: boolean): Map<string, [number, number][]> {
  const config = generatorConfig({
    customers: CUSTOMERS,
    merchants: Math.max(50, Math.round(CUSTOMERS / 10)),
    days: DAYS,
    seed: SEED,
    fraud: { adaptive: { enabled: adaptive } },
  });
  const started = performance.now();
  const { events, features } = streamFeatures(config);
  const scenarioOf = new Map<string, string>();
  for (const event of events)
    if (event.kind === 'transaction' && event.source.fraudScenario !== null)
      scenarioOf.set(event.value.transactionId, event.source.fraudScenario);
  const weeks = Math.ceil(DAYS / 7);
  const counts = new Map<string, [number, number][]>(
    SCENARIOS.map((name) => [name, Array.from({ length: weeks }, (): [number, number] => [0, 0])]),
  );
  const startMs = Date.parse(`${config.startDate}T00:00:00Z`);
  for (const row of features) {
    const scenario = scenarioOf.get(String(row.transactionId));
    if (scenario === undefined) continue;
    const week = Math.min(weeks - 1, Math.floor(((row.eventTime as number) - startMs) / WEEK_MS));
    const flagged = (row.riskScore as number) >= ALERT_SCORE ? 1 : 0;
    for (const name of [scenario, 'all fraud']) {
      const cell = counts.get(name)?.[week];
      if (!cell) continue;
      cell[0] += flagged;
      cell[1] += 1;
    }
  }
  console.error(
    `[bench] adaptive ${adaptive}: ${features.length} tx, ${scenarioOf.size} fraud, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return counts;
}

const off = recallByWeek(false);
const on = recallByWeek(true);
const rows: BenchRow[] = [];
for (const scenario of SCENARIOS) {
  const before = off.get(scenario) ?? [];
  const after = on.get(scenario) ?? [];
  before.forEach(([flaggedOff, fraudOff], week) => {
    const [flaggedOn, fraudOn] = after[week] ?? [0, 0];
    rows.push({
      case: `${scenario}, week ${week + 1}: rule-score recall, adaptive`,
      value: fraudOn > 0 ? flaggedOn / fraudOn : Number.NaN,
      unit: 'recall',
      note: `${flaggedOn}/${fraudOn} flagged; without adaptation ${flaggedOff}/${fraudOff} = ${(fraudOff > 0 ? flaggedOff / fraudOff : Number.NaN).toFixed(3)}`,
    });
  });
}
report('evaluation-adaptive', rows, {
  customers: CUSTOMERS,
  days: DAYS,
  seed: SEED,
  alertScore: ALERT_SCORE,
  measured: { off: Object.fromEntries(off), on: Object.fromEntries(on) },
});
