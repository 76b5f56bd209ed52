import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, kafkaClientMetrics } from '../../../core/metrics.ts';
import { DASHBOARDS, dashboardFile, renderDashboard } from '../../../monitoring/grafana/dashboards.ts';
import { processorMetrics } from '../../../processors/metrics.ts';
import { producerMetrics } from '../../../producers/metrics.ts';
import { sinkMetrics } from '../../../sinks/metrics.ts';
import { referencedMetrics } from '../../harness/monitoring.ts';

/** Every series name the code can export, histograms with their _bucket/_sum/_count series. */
async function exportedNames(): Promise<Set<string>> {
  const registry = createMetricsRegistry({ defaultMetrics: true });
  kafkaClientMetrics(registry);
  producerMetrics(registry);
  processorMetrics(registry);
  sinkMetrics(registry);
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

describe('Grafana dashboards', () => {
  it('are committed exactly as dashboards.ts renders them (npm run dashboards)', () => {
    for (const spec of DASHBOARDS) {
      const committed: unknown = JSON.parse(readFileSync(dashboardFile(spec), 'utf8'));
      expect(committed, spec.uid).toEqual(renderDashboard(spec));
    }
  });

  it('give every panel a query and a unique id, laid out without overlap', () => {
    for (const spec of DASHBOARDS) {
      const panels = renderDashboard(spec).panels as {
        id: number;
        type: string;
        targets?: unknown[];
        gridPos: { x: number; y: number; w: number; h: number };
      }[];
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const taken = new Set<string>();
      for (const panel of panels) {
        if (panel.type !== 'row') expect(panel.targets?.length, `${spec.uid} ${panel.id}`).toBeGreaterThan(0);
        const { x, y, w, h } = panel.gridPos;
        for (let i = x; i < x + w; i++)
          for (let j = y; j < y + h; j++) {
            expect(taken.has(`${i},${j}`), `${spec.uid} panel ${panel.id} overlaps`).toBe(false);
            taken.add(`${i},${j}`);
          }
      }
    }
  });
});

describe('metrics named by alerts and dashboards', () => {
  it('are all declared by the code', async () => {
    const exported = await exportedNames();
    const used = referencedMetrics();
    expect(used.size).toBeGreaterThan(20);
    const missing = [...used]
      .filter(([name]) => !exported.has(name))
      .map(([name, where]) => `${name} (${where[0]})`);
    expect(missing).toEqual([]);
  });

  it('follow synfin_<stage>_<thing>_<unit> with bounded label names', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    kafkaClientMetrics(registry);
    producerMetrics(registry);
    processorMetrics(registry);
    sinkMetrics(registry);
    const unbounded = ['transaction_id', 'customer_id', 'merchant_id', 'key', 'offset', 'error'];
    const metrics = registry.getMetricsAsArray();
    expect(metrics.length).toBeGreaterThan(20);
    for (const metric of metrics) {
      expect(metric.name).toMatch(
        /^synfin_(kafka|producer|processor|sink)_[a-z_]+_(total|seconds|bytes|records|rows|entries|ratio|state|per_second)$/,
      );
      // prom-client keeps the declared label names on the metric object.
      const labels = (metric as unknown as { labelNames: string[] }).labelNames;
      expect(Array.isArray(labels), metric.name).toBe(true);
      for (const label of labels) expect(unbounded, `${metric.name}{${label}}`).not.toContain(label);
    }
  });
});
