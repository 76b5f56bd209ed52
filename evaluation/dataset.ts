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

/** A dataset of `size` rows, every column allocated (zeros); the cards filled in by the caller. */
function emptyDataset(size: number): Dataset & { cards: string[] } {
  return {
    size,
    inputs: new Float64Array(size * MODEL_INPUTS.length),
    ruleScore: new Float64Array(size),
    eventTime: new Float64Array(size),
    fraud: new Uint8Array(size),
    reportedAt: new Float64Array(size),
    cards: [],
  };
}

export function datasetOf(rows: readonly EvaluationRow[]): Dataset {
  const width = MODEL_INPUTS.length;
  const data = emptyDataset(rows.length);
  rows.forEach((row, i) => {
    row.inputs.forEach((value, j) => {
      data.inputs[i * width + j] = value === null ? 0 : Number(value);
    });
    data.ruleScore[i] = row.riskScore;
    data.eventTime[i] = row.eventTime;
    data.fraud[i] = row.reportedAt === null ? 0 : 1;
    data.reportedAt[i] = row.reportedAt ?? Number.POSITIVE_INFINITY;
    data.cards.push(row.customerId);
  });
  return data;
}

/** The rows whose indices are listed, as a dataset of their own. */
export function subset(data: Dataset, indices: readonly number[]): Dataset {
  const width = MODEL_INPUTS.length;
  const out = emptyDataset(indices.length);
  indices.forEach((from, to) => {
    out.inputs.set(data.inputs.subarray(from * width, (from + 1) * width), to * width);
    out.ruleScore[to] = data.ruleScore[from] as number;
    out.eventTime[to] = data.eventTime[from] as number;
    out.fraud[to] = data.fraud[from] as number;
    out.reportedAt[to] = data.reportedAt[from] as number;
    out.cards.push(data.cards[from] as string);
  });
  return out;
}

/** The UTC day (days since the epoch) of each row. */
export function dayOf(eventTime: number): number {
  return Math.floor(eventTime / DAY_MS);
}
