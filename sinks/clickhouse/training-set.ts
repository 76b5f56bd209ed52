/**
 * The training set read from the landed tables, as it is now or as it was known at a moment:
 * every purchase's features with the latest version of its label reported by then. The queries
 * run on ClickHouse 18.16 and current versions (argMax, ANY LEFT JOIN of subqueries, FINAL).
 */
import { quoteString } from './dialect.ts';

/**
 * Per transaction, its label of the highest version among `fraud_labels` rows matching `where`
 * (SQL, may be empty): the subquery the training set and the evaluation join.
 */
export function latestLabelsSql(where: string): string {
  // The version renamed: 18.16 resolves a column to the alias of the same name (see migration 6).
  return `SELECT transaction_id, 1 AS label_known, argMax(label_id, version) AS label_id,
    argMax(is_fraud, version) AS is_fraud, argMax(scenario, version) AS scenario,
    argMax(report_channel, version) AS report_channel,
    argMax(reported_at_ms, version) AS reported_at_ms,
    argMax(label_status, version) AS label_status, max(version) AS label_version
  FROM (SELECT *, label_version AS version FROM fraud_labels FINAL${where ? ` WHERE ${where}` : ''})
  GROUP BY transaction_id`;
}

export interface AsOf {
  /** The moment, epoch milliseconds: purchases up to it, labels reported up to it. */
  asOfMs: number;
  /** Only this run's rows (its topics are `<runId>.…`); every run when absent. */
  runId?: string;
}

/**
 * The training set as known at `asOfMs`: no row carries a label reported after it, and a label
 * overturned after it still reads as it stood. `label_known` 0: nothing reported by then.
 * `label_age_ms` is how old the label was when it arrived.
 */
export function trainingSetAsOfSql({ asOfMs, runId }: AsOf): string {
  const at = Math.trunc(asOfMs);
  if (!Number.isSafeInteger(at) || at < 0)
    throw new RangeError(`asOfMs must be epoch milliseconds, got ${asOfMs}`);
  const run = (kind: string) =>
    runId === undefined ? '' : ` AND kafka_topic = ${quoteString(`${runId}.${kind}`)}`;
  return `SELECT *,
  if(label_known = 1, toInt64(reported_at_ms) - toInt64(event_time_ms), 0) AS label_age_ms
FROM (SELECT * FROM transaction_features FINAL WHERE event_time_ms <= ${at}${run('features')})
ANY LEFT JOIN (${latestLabelsSql(`reported_at_ms <= ${at}${run('labels')}`)}) USING transaction_id
ORDER BY event_time_ms, transaction_id`;
}
