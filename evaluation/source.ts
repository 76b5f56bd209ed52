/**
 * Reads a run's training rows from ClickHouse: every purchase's features as scored in flight, with
 * the report time of its latest label version where that says fraud. The query runs on ClickHouse 18.16 and
 * current versions (ANY LEFT JOIN of two subqueries, FINAL for the replacing tables).
 */

import type { ClickhouseConfig } from '../core/config/schema.ts';
import { SynfinError } from '../core/errors.ts';
import { runTopicName } from '../core/run-topology.ts';
import {
  clickhouseClient,
  latestLabelsSql,
  quoteString,
  serverErrorCode,
} from '../sinks/clickhouse/reader.ts';
import { snakeCase } from '../sinks/columns.ts';
import { type EvaluationRow, MODEL_INPUTS } from './dataset.ts';

type Row = Record<string, string | number | boolean | null>;

/** UNKNOWN_TABLE, UNKNOWN_DATABASE: nothing was ever landed there. */
const NOTHING_LANDED = new Set([60, 81]);

function unreadable(error: unknown, database: string): SynfinError {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const code = serverErrorCode(error);
  if (code !== undefined && NOTHING_LANDED.has(code))
    return new SynfinError(
      'EVALUATION_NOT_POSSIBLE',
      `ClickHouse database ${database} has no landed features: ${message}`,
      {
        cause: error,
      },
    );
  return new SynfinError('SINK_UNAVAILABLE', `clickhouse: reading the training rows failed: ${message}`, {
    cause: error,
    retriable: true,
  });
}

/** The rows of the run whose topics are `<prefix>.…`, in event-time order (ties by transaction). */
export async function readRunRows(config: ClickhouseConfig, prefix: string): Promise<EvaluationRow[]> {
  const columns = MODEL_INPUTS.map(snakeCase);
  const query = `SELECT customer_id, event_time_ms, risk_score, ${columns.join(', ')}, label_known, is_fraud, reported_at_ms
FROM (SELECT * FROM transaction_features FINAL WHERE kafka_topic = ${quoteString(runTopicName(prefix, 'features'))})
ANY LEFT JOIN (${latestLabelsSql(`kafka_topic = ${quoteString(runTopicName(prefix, 'labels'))}`)}) USING transaction_id
ORDER BY event_time_ms, transaction_id`;
  const client = clickhouseClient(config, config.database);
  try {
    const result = await client.query({ query, format: 'JSONEachRow' }).catch((error: unknown) => {
      throw unreadable(error, config.database);
    });
    const rows: EvaluationRow[] = [];
    for (const row of (await result.json<Row>()) as Row[]) {
      const fraud = Number(row.label_known) === 1 && Number(row.is_fraud) === 1;
      rows.push({
        customerId: String(row.customer_id),
        eventTime: Number(row.event_time_ms),
        riskScore: Number(row.risk_score),
        inputs: columns.map((column) => {
          const value = row[column];
          return value === null || value === undefined ? null : Number(value);
        }),
        reportedAt: fraud ? Number(row.reported_at_ms) : null,
      });
    }
    return rows;
  } finally {
    await client.close();
  }
}
