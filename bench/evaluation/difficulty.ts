/**
 * How hard each difficulty level makes a run: the trained baseline's (and the rule score's)
 * prequential average precision on seeded backfills at full size, several seeds per level, and
 * whether each lies in the level's documented band (evaluation/README.md). No services: features
 * are computed by the processors' own tasks over in-memory topics (tests/fixtures/evaluation-rows.ts;
 * equal to the stream's, as tests/integration/processors/pipeline.test.ts proves), then
 * `evaluateDataset` runs as `synfin evaluate` does. Also checks that a seed evaluated twice gives
 * the same numbers.
 */
import { datasetOf } from '../../evaluation/dataset.ts';
import { DIFFICULTY_BANDS } from '../../evaluation/difficulty-bands.ts';
import { evaluateDataset } from '../../evaluation/report.ts';
import { parseEvaluationSettings } from '../../evaluation/settings.ts';
import { DIFFICULTIES } from '../../producers/fraud/scenario.ts';
import { evaluationRows } from '../../tests/fixtures/evaluation-rows.ts';
import { generatorConfig } from '../../tests/fixtures/generated.ts';
import { type BenchRow, report } from '../lib.ts';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 2000);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const SEEDS = (process.env.BENCH_SEEDS ?? '1,2,3').split(',').map(Number);
const settings = parseEvaluationSettings({});

function evaluateSeed(difficulty: string, seed: number) {
  const config = generatorConfig({
    customers: CUSTOMERS,
    merchants: Math.max(50, Math.round(CUSTOMERS / 10)),
    days: DAYS,
    seed,
    fraud: { difficulty },
  });
  return evaluateDataset(`${difficulty}-${seed}`, datasetOf(evaluationRows(config)), settings);
}

const rows: BenchRow[] = [];
const measured: Record<string, unknown>[] = [];
for (const difficulty of DIFFICULTIES) {
  const band = DIFFICULTY_BANDS.full[difficulty];
  for (const seed of SEEDS) {
    const started = performance.now();
    const result = evaluateSeed(difficulty, seed);
    const overall = Object.fromEntries(result.results.map((r) => [r.model, r.overall]));
    const ap = overall.logistic_regression?.averagePrecision ?? Number.NaN;
    const inBand = ap >= band.min && ap <= band.max;
    console.error(
      `[bench] ${difficulty} seed ${seed}: ${result.transactions} tx, ${result.frauds} fraud, AP ${ap.toFixed(3)} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    measured.push({ difficulty, seed, transactions: result.transactions, frauds: result.frauds, overall });
    rows.push({
      case: `${difficulty}, seed ${seed}: logistic regression average precision (${result.frauds} frauds in ${result.transactions} tx)`,
      value: ap,
      unit: 'AP',
      target: `${band.min}–${band.max}`,
      note: `${inBand ? 'in band' : 'OUT OF BAND'}; AUC ${overall.logistic_regression?.auc?.toFixed(3)}, CP@${settings.k} ${overall.logistic_regression?.cardPrecisionAtK?.toFixed(3)}; rule score AP ${overall.rule_score?.averagePrecision?.toFixed(3)}`,
    });
  }
}
// Reproducibility: the first seed of the middle level once more, every metric compared.
const again = evaluateSeed('realistic', SEEDS[0] ?? 1);
const first = measured.find((m) => m.difficulty === 'realistic' && m.seed === SEEDS[0]);
const difference =
  JSON.stringify(first?.overall) ===
  JSON.stringify(Object.fromEntries(again.results.map((r) => [r.model, r.overall])));
rows.push({
  case: `realistic, seed ${SEEDS[0]} evaluated twice: every overall metric identical`,
  value: difference ? 1 : 0,
  unit: '1 = yes',
  target: '1',
});
report('evaluation-difficulty', rows, { customers: CUSTOMERS, days: DAYS, seeds: SEEDS, measured });
