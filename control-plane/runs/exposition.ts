/** A small reader of the Prometheus text format: what a run's stages report on /metrics. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sums `name` over the samples whose labels include `where`, grouped by the label `by` (or all). */
export function sumBy(
  samples: readonly Sample[],
  name: string,
  by?: string,
  where: Record<string, string> = {},
) {
  const out = new Map<string, number>();
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (!Object.entries(where).every(([k, v]) => sample.labels[k] === v)) continue;
    const key = by ? (sample.labels[by] ?? '') : '';
    out.set(key, (out.get(key) ?? 0) + sample.value);
  }
  return out;
}

export function total(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  return sumBy(samples, name, undefined, where).get('') ?? 0;
}
