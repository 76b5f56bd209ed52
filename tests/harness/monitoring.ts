/** What the monitoring files ask of the code: every metric the alerts and dashboards query. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseSamples } from '../../control-plane/runs/exposition.ts';
import { projectRoot } from '../../core/paths.ts';
import { DASHBOARDS } from '../../monitoring/grafana/dashboards.ts';

const METRIC = /\bsynfin_[a-z0-9_]+/g;

export const ALERTS_FILE = path.join(projectRoot(), 'monitoring', 'prometheus', 'alerts.yml');

interface AlertRules {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}

export function alertExpressions(): Map<string, string> {
  const rules = parse(readFileSync(ALERTS_FILE, 'utf8')) as AlertRules;
  return new Map(
    rules.groups.flatMap((group) => group.rules.map((rule) => [rule.alert, rule.expr] as const)),
  );
}

export function dashboardExpressions(): Map<string, string> {
  const expressions = new Map<string, string>();
  for (const spec of DASHBOARDS) {
    for (const row of spec.rows)
      for (const panel of row.panels)
        for (const [n, query] of panel.queries.entries())
          expressions.set(`${spec.uid}: ${panel.title} #${n + 1}`, query.expr);
    for (const variable of spec.variables) expressions.set(`${spec.uid}: $${variable.name}`, variable.metric);
  }
  return expressions;
}

/** Metric name (as scraped: histograms by their _bucket series) → where it is used. */
export function referencedMetrics(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const [where, expr] of [...alertExpressions(), ...dashboardExpressions()]) {
    for (const name of expr.match(METRIC) ?? []) used.set(name, [...(used.get(name) ?? []), where]);
  }
  return used;
}

/** The sample names of a Prometheus text exposition, with their values summed over labels. */
export function parseExposition(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { name, value } of parseSamples(text)) sums.set(name, (sums.get(name) ?? 0) + value);
  return sums;
}
