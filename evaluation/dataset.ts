/**
 * The rows an evaluation works on, column by column in typed arrays: what each purchase's
 * features were when it was scored in flight, its card, its true label, and when that label was
 * reported (the label delay the evaluation must respect).
 */
import { customerFamilies, merchantFamilies } from '../processors/features/catalog.ts';
import { DAY_MS } from '../processors/features/types.ts';

/**
 * The model inputs: the purchase's amount and every numeric or boolean feature of the catalog's
 * customer and merchant families (the rule score and the rules that fired are the rule baseline's,
 * not inputs). A null feature (no previous purchase, no known home) is read as 0.
 */
export const MODEL_INPUTS: readonly string[] = [
  'amountMinor',
  ...[...customerFamilies, ...merchantFamilies]
    .flatMap((family) => family.features)
    .filter((spec) => spec.type === 'int' || spec.type === 'double' || spec.type === 'boolean')
    .map((spec) => spec.name),
];

export interface Dataset {
  readonly size: number;
  /** Row-major, `size × MODEL_INPUTS.length`. */
  readonly inputs: Float64Array;
  readonly ruleScore: Float64Array;
  readonly eventTime: Float64Array;
  /** 1 when the purchase is fraud by the labels the run has reported by its end. */
  readonly fraud: Uint8Array;
  /** When the fraud label was reported (epoch ms); +∞ for purchases without one. */
  readonly reportedAt: Float64Array;
  /** The customer's id stands for the card, as in the handbook. */
  readonly cards: readonly string[];
}

/** One row as a source reads it. */
export interface EvaluationRow {
  customerId: string;
  eventTime: number;
  riskScore: number;
  inputs: readonly (number | boolean | null)[];
  reportedAt: number | null;
}

export function datasetOf(rows: readonly EvaluationRow[]): Dataset {
  const width = MODEL_INPUTS.length;
  const inputs = new Float64Array(rows.length * width);
  const ruleScore = new Float64Array(rows.length);
  const eventTime = new Float64Array(rows.length);
  const fraud = new Uint8Array(rows.length);
  const reportedAt = new Float64Array(rows.length);
  const cards: string[] = [];
  rows.forEach((row, i) => {
    row.inputs.forEach((value, j) => {
      inputs[i * width + j] = value === null ? 0 : Number(value);
    });
    ruleScore[i] = row.riskScore;
    eventTime[i] = row.eventTime;
    fraud[i] = row.reportedAt === null ? 0 : 1;
    reportedAt[i] = row.reportedAt ?? Number.POSITIVE_INFINITY;
    cards.push(row.customerId);
  });
  return { size: rows.length, inputs, ruleScore, eventTime, fraud, reportedAt, cards };
}

/** The rows whose indices are listed, as a dataset of their own. */
export function subset(data: Dataset, indices: readonly number[]): Dataset {
  const width = MODEL_INPUTS.length;
  const inputs = new Float64Array(indices.length * width);
  const ruleScore = new Float64Array(indices.length);
  const eventTime = new Float64Array(indices.length);
  const fraud = new Uint8Array(indices.length);
  const reportedAt = new Float64Array(indices.length);
  const cards: string[] = [];
  indices.forEach((from, to) => {
    inputs.set(data.inputs.subarray(from * width, (from + 1) * width), to * width);
    ruleScore[to] = data.ruleScore[from] as number;
    eventTime[to] = data.eventTime[from] as number;
    fraud[to] = data.fraud[from] as number;
    reportedAt[to] = data.reportedAt[from] as number;
    cards.push(data.cards[from] as string);
  });
  return { size: indices.length, inputs, ruleScore, eventTime, fraud, reportedAt, cards };
}

/** The UTC day (days since the epoch) of each row. */
export function dayOf(eventTime: number): number {
  return Math.floor(eventTime / DAY_MS);
}
