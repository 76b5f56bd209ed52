/**
 * The one interface of a detector under evaluation. A model is one file beside its siblings,
 * registered in models/index.ts: it fits on a training window and scores a test day.
 */
import type { Dataset } from '../dataset.ts';

export interface TrainingWindow {
  data: Dataset;
  /** The label of each training row as known when the model is trained (the test day's start). */
  labels: Uint8Array;
}

export interface DetectionModel {
  readonly name: string;
  readonly description: string;
  /** Whether it learns from labels (a rule score does not, and is scored on every test day). */
  readonly trained: boolean;
  /** Fits on the window; returns how it scores a test day (higher: more likely fraud). */
  fit(window: TrainingWindow): (test: Dataset) => Float64Array;
}

/** Means and standard deviations of the inputs of a window: trained models see standard scores. */
export function standardiser(data: Dataset, width: number): (row: Float64Array, into: Float64Array) => void {
  const mean = new Float64Array(width);
  const scale = new Float64Array(width);
  for (let i = 0; i < data.size; i++)
    for (let j = 0; j < width; j++) mean[j] = (mean[j] as number) + (data.inputs[i * width + j] as number);
  for (let j = 0; j < width; j++) mean[j] = (mean[j] as number) / Math.max(1, data.size);
  for (let i = 0; i < data.size; i++)
    for (let j = 0; j < width; j++) {
      const d = (data.inputs[i * width + j] as number) - (mean[j] as number);
      scale[j] = (scale[j] as number) + d * d;
    }
  for (let j = 0; j < width; j++) {
    const sd = Math.sqrt((scale[j] as number) / Math.max(1, data.size));
    // A constant input carries nothing: it is centred and left at 0.
    scale[j] = sd > 0 ? 1 / sd : 0;
  }
  return (row, into) => {
    for (let j = 0; j < width; j++)
      into[j] = ((row[j] as number) - (mean[j] as number)) * (scale[j] as number);
  };
}
