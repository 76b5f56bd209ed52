/**
 * The evaluation as a picture a person can open: one panel per metric (AUC, average precision,
 * Card Precision@k), the test days along x, one line per model. Plain SVG, no script, no fonts to
 * fetch.
 */
import type { DayResult, ModelResult } from './prequential.ts';

const PANEL = { width: 760, height: 220, left: 56, right: 170, top: 34, bottom: 36 } as const;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const METRICS: readonly {
  key: keyof Pick<DayResult, 'auc' | 'averagePrecision' | 'cardPrecisionAtK'>;
  title: string;
}[] = [
  { key: 'auc', title: 'AUC-ROC per test day' },
  { key: 'averagePrecision', title: 'Average precision per test day' },
  { key: 'cardPrecisionAtK', title: 'Card Precision@k per test day' },
];

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function panel(
  results: readonly ModelResult[],
  metric: (typeof METRICS)[number],
  top: number,
  k: number,
): string {
  const days = results[0]?.days.map((day) => day.day) ?? [];
  const plotWidth = PANEL.width - PANEL.left - PANEL.right;
  const plotHeight = PANEL.height - PANEL.top - PANEL.bottom;
  const x = (i: number) =>
    PANEL.left + (days.length > 1 ? (i / (days.length - 1)) * plotWidth : plotWidth / 2);
  const y = (v: number) => top + PANEL.top + (1 - v) * plotHeight;
  const parts: string[] = [];
  const title = metric.key === 'cardPrecisionAtK' ? metric.title.replace('@k', `@${k}`) : metric.title;
  parts.push(
    `<text x="${PANEL.left}" y="${top + 20}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  );
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${PANEL.left}" x2="${PANEL.left + plotWidth}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${PANEL.left - 8}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v.toFixed(2)}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((day, i) => {
    if (i % every === 0 || i === days.length - 1)
      parts.push(
        `<text x="${x(i)}" y="${top + PANEL.height - 14}" font-size="10" text-anchor="middle">${day.slice(5)}</text>`,
      );
  });
  results.forEach((result, m) => {
    const color = COLORS[m % COLORS.length];
    // A day where the metric is undefined (no fraud that day) breaks the line.
    const segments: string[][] = [[]];
    result.days.forEach((day, i) => {
      const value = day[metric.key];
      if (value === null) segments.push([]);
      else segments[segments.length - 1]?.push(`${x(i).toFixed(1)},${y(value).toFixed(1)}`);
    });
    for (const points of segments) {
      if (points.length > 1)
        parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>`);
      else if (points.length === 1) {
        const [cx, cy] = (points[0] as string).split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
      }
    }
    const legendY = top + PANEL.top + 14 + m * 18;
    const legendX = PANEL.left + plotWidth + 14;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 18}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${legendX + 24}" y="${legendY}" font-size="11">${escapeXml(result.model)}</text>`,
    );
  });
  parts.push(
    `<rect x="${PANEL.left}" y="${top + PANEL.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
  );
  return parts.join('\n');
}

/** The SVG document of an evaluation's per-day results. */
export function evaluationChart(results: readonly ModelResult[], heading: string, k: number): string {
  const height = PANEL.height * METRICS.length + 30;
  const panels = METRICS.map((metric, i) => panel(results, metric, 30 + i * PANEL.height, k));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PANEL.width}" height="${height}" viewBox="0 0 ${PANEL.width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PANEL.left}" y="20" font-size="15">${escapeXml(heading)}</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}
