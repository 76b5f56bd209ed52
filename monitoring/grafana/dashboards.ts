/**
 * The Grafana dashboards, as data: `npm run dashboards` writes them to monitoring/grafana/dashboards/
 * and a unit test fails when the committed JSON drifts from this file. Every query uses only
 * metrics the code exports; tests/integration/monitoring/scrape.test.ts checks them against
 * real scrapes. Panels are laid out two per row in the order given.
 */

import path from 'node:path';
import { METRIC } from '../../core/metric-names.ts';

interface Query {
  expr: string;
  legend: string;
}

interface Panel {
  title: string;
  unit: string;
  queries: Query[];
  description?: string;
}

interface Row {
  title: string;
  panels: Panel[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Template variables, each over the values of one label of one metric. */
  variables: { name: string; metric: string; label: string }[];
  rows: Row[];
}

const RUN = 'run_id=~"$run_id"';
const q = (expr: string, legend: string): Query => ({ expr, legend });
const quantiles = (metric: string, by: string, filter: string): Query[] =>
  [0.5, 0.95, 0.99].map((p) =>
    q(
      `histogram_quantile(${p}, sum by (${by}, le) (rate(${metric}_bucket{${filter}}[5m])))`,
      `p${p * 100} {{${by}}}`,
    ),
  );

export const PIPELINE_OVERVIEW: DashboardSpec = {
  uid: 'synfin-pipeline',
  title: 'SynFinance Stream — pipeline overview',
  description: 'Throughput per stage, lag, latency percentiles, errors, dead letters and fraud rate.',
  variables: [{ name: 'run_id', metric: 'synfin_process_start_time_seconds', label: 'run_id' }],
  rows: [
    {
      title: 'Throughput',
      panels: [
        {
          title: 'Events generated per second, by kind',
          unit: 'ops',
          queries: [q(`sum by (kind) (rate(synfin_producer_events_total{${RUN}}[1m]))`, '{{kind}}')],
        },
        {
          title: 'Messages acknowledged by Kafka per second, by topic',
          unit: 'ops',
          queries: [q(`sum by (topic) (rate(${METRIC.kafkaMessagesProduced}{${RUN}}[1m]))`, '{{topic}}')],
        },
        {
          title: 'Processor records consumed per second, by stage',
          unit: 'ops',
          queries: [
            q(`sum by (stage) (rate(synfin_processor_records_consumed_total{${RUN}}[1m]))`, '{{stage}}'),
          ],
        },
        {
          title: 'Rows landed per second, by sink and table',
          unit: 'ops',
          queries: [
            q(`sum by (sink, table) (rate(${METRIC.sinkRowsWritten}{${RUN}}[1m]))`, '{{sink}} {{table}}'),
          ],
        },
      ],
    },
    {
      title: 'Lag',
      panels: [
        {
          title: 'Processor consumer lag, by stage and topic',
          unit: 'short',
          queries: [
            q(`sum by (stage, topic) (${METRIC.processorConsumerLag}{${RUN}})`, '{{stage}} {{topic}}'),
          ],
        },
        {
          title: 'Sink consumer lag and buffered rows',
          unit: 'short',
          queries: [
            q(`sum by (sink, topic) (${METRIC.sinkConsumerLag}{${RUN}})`, 'lag {{sink}} {{topic}}'),
            q(`sum by (sink) (${METRIC.sinkBufferedRows}{${RUN}})`, 'buffered {{sink}}'),
          ],
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          title: 'End-to-end latency: event time to committed row (realtime runs)',
          unit: 's',
          queries: quantiles('synfin_sink_end_to_end_latency_seconds', 'sink', RUN),
        },
        {
          title: 'Produce latency (request to acknowledgement)',
          unit: 's',
          queries: quantiles('synfin_kafka_produce_latency_seconds', 'job', RUN),
        },
        {
          title: 'Processor transaction commit duration',
          unit: 's',
          queries: quantiles('synfin_processor_commit_duration_seconds', 'stage', RUN),
        },
        {
          title: 'Sink batch flush duration (retries included)',
          unit: 's',
          queries: quantiles('synfin_sink_flush_duration_seconds', 'sink', RUN),
        },
      ],
    },
    {
      title: 'Errors and dead letters',
      panels: [
        {
          title: 'Errors per second',
          unit: 'ops',
          queries: [
            q(
              `sum by (topic) (rate(synfin_kafka_produce_failures_total{${RUN}}[5m]))`,
              'produce failed {{topic}}',
            ),
            q(`sum by (sink) (rate(synfin_sink_retries_total{${RUN}}[5m]))`, 'sink retry {{sink}}'),
            q(`sum by (stage) (rate(synfin_processor_late_events_total{${RUN}}[5m]))`, 'late {{stage}}'),
          ],
        },
        {
          title: 'Dead letters (last 5 minutes)',
          unit: 'short',
          queries: [
            q(`sum by (stage) (increase(${METRIC.processorDeadLetters}{${RUN}}[5m]))`, 'processor {{stage}}'),
            q(
              `sum by (sink, reason) (increase(${METRIC.sinkDeadLetters}{${RUN}}[5m]))`,
              '{{sink}} {{reason}}',
            ),
          ],
        },
      ],
    },
    {
      title: 'Fraud and state',
      panels: [
        {
          title: 'Fraud ratio: generated vs configured',
          unit: 'percentunit',
          queries: [
            q(
              `sum by (run_id) (rate(${METRIC.producerFraudTransactions}{${RUN}}[5m])) / sum by (run_id) (rate(synfin_producer_events_total{${RUN}, kind="transaction"}[5m]))`,
              'generated {{run_id}}',
            ),
            q(`max by (run_id) (synfin_producer_configured_fraud_ratio{${RUN}})`, 'configured {{run_id}}'),
          ],
        },
        {
          title: 'Fraud labels joined to features, per second',
          unit: 'ops',
          queries: [q(`sum by (outcome) (rate(synfin_processor_labels_total{${RUN}}[5m]))`, '{{outcome}}')],
        },
        {
          title: 'Processor state entries',
          unit: 'short',
          queries: [q(`sum by (stage, kind) (synfin_processor_state_entries{${RUN}})`, '{{stage}} {{kind}}')],
        },
        {
          title: 'Run state and resident memory',
          unit: 'bytes',
          description: 'Memory per process; the run state (1 = current) is on the right axis.',
          queries: [
            q(
              `sum by (job, instance) (synfin_process_resident_memory_bytes{${RUN}})`,
              '{{job}} {{instance}}',
            ),
            q(`max by (run_id, state) (synfin_producer_run_state{${RUN}}) == 1`, 'run {{run_id}} {{state}}'),
          ],
        },
      ],
    },
  ],
};

const SINK = `${RUN}, sink=~"$sink"`;

export const SINK_DETAIL: DashboardSpec = {
  uid: 'synfin-sinks',
  title: 'SynFinance Stream — sinks',
  description: 'Per-sink detail: rows, batches, flushes, lag, commits, retries and dead letters.',
  variables: [
    { name: 'run_id', metric: 'synfin_process_start_time_seconds', label: 'run_id' },
    { name: 'sink', metric: METRIC.sinkRowsWritten, label: 'sink' },
  ],
  rows: [
    {
      title: 'Flow',
      panels: [
        {
          title: 'Rows landed per second, by table',
          unit: 'ops',
          queries: [
            q(`sum by (sink, table) (rate(${METRIC.sinkRowsWritten}{${SINK}}[1m]))`, '{{sink}} {{table}}'),
          ],
        },
        {
          title: 'Records read vs skipped (already landed) per second',
          unit: 'ops',
          queries: [
            q(`sum by (sink) (rate(${METRIC.sinkRecordsConsumed}{${SINK}}[1m]))`, 'read {{sink}}'),
            q(`sum by (sink) (rate(synfin_sink_records_skipped_total{${SINK}}[1m]))`, 'skipped {{sink}}'),
          ],
        },
        {
          title: 'Consumer lag by partition',
          unit: 'short',
          queries: [
            q(
              `sum by (sink, topic, partition) (${METRIC.sinkConsumerLag}{${SINK}})`,
              '{{sink}} {{topic}}[{{partition}}]',
            ),
          ],
        },
        {
          title: 'Seconds since the last landed batch',
          unit: 's',
          queries: [
            q(`time() - max by (sink) (synfin_sink_last_commit_timestamp_seconds{${SINK}})`, '{{sink}}'),
          ],
        },
      ],
    },
    {
      title: 'Batches',
      panels: [
        {
          title: 'Batch size (rows)',
          unit: 'short',
          queries: quantiles('synfin_sink_batch_rows', 'sink', SINK),
        },
        {
          title: 'Flush duration',
          unit: 's',
          queries: quantiles('synfin_sink_flush_duration_seconds', 'sink', SINK),
        },
        {
          title: 'End-to-end latency p99, by table',
          unit: 's',
          queries: [
            q(
              `histogram_quantile(0.99, sum by (sink, table, le) (rate(synfin_sink_end_to_end_latency_seconds_bucket{${SINK}}[5m])))`,
              '{{sink}} {{table}}',
            ),
          ],
        },
        {
          title: 'Buffered rows',
          unit: 'short',
          queries: [q(`sum by (sink) (${METRIC.sinkBufferedRows}{${SINK}})`, '{{sink}}')],
        },
      ],
    },
    {
      title: 'Failures',
      panels: [
        {
          title: 'Write retries per second',
          unit: 'ops',
          queries: [q(`sum by (sink) (rate(synfin_sink_retries_total{${SINK}}[5m]))`, '{{sink}}')],
        },
        {
          title: 'Dead letters by reason (last 5 minutes)',
          unit: 'short',
          queries: [
            q(
              `sum by (sink, reason) (increase(${METRIC.sinkDeadLetters}{${SINK}}[5m]))`,
              '{{sink}} {{reason}}',
            ),
          ],
        },
      ],
    },
  ],
};

export const DASHBOARDS = [PIPELINE_OVERVIEW, SINK_DETAIL];

/** Grafana's dashboard JSON (schema 39) for a spec: timeseries panels, two per row. */
export function renderDashboard(spec: DashboardSpec): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
    });
    y += 1;
    row.panels.forEach((panel, index) => {
      panels.push({
        id: id++,
        type: 'timeseries',
        title: panel.title,
        ...(panel.description ? { description: panel.description } : {}),
        datasource: { type: 'prometheus', uid: 'prometheus' },
        gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: y + Math.floor(index / 2) * 8 },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
        targets: panel.queries.map((query, n) => ({
          refId: String.fromCharCode(65 + n),
          datasource: { type: 'prometheus', uid: 'prometheus' },
          expr: query.expr,
          legendFormat: query.legend,
        })),
      });
    });
    y += Math.ceil(row.panels.length / 2) * 8;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['synfin'],
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    timezone: 'utc',
    templating: {
      list: spec.variables.map((variable) => ({
        name: variable.name,
        type: 'query',
        datasource: { type: 'prometheus', uid: 'prometheus' },
        query: { query: `label_values(${variable.metric}, ${variable.label})`, refId: 'variable' },
        definition: `label_values(${variable.metric}, ${variable.label})`,
        includeAll: true,
        multi: true,
        allValue: '.*',
        current: { text: 'All', value: '$__all' },
        refresh: 2,
      })),
    },
    panels,
  };
}

/** Where a dashboard is committed (and where compose mounts it from). */
export function dashboardFile(spec: DashboardSpec): string {
  return path.join(import.meta.dirname, 'dashboards', `${spec.uid}.json`);
}
