/**
 * `synfin validate`: a data-quality report of one run (its topic prefix) over ClickHouse — counts
 * per table, referential integrity, fraud rate against the configured one, null rates of the
 * features and distribution summaries. Every query runs on ClickHouse 18.16 and current versions.
 */
import type { ClickhouseConfig } from '../../core/config/schema.ts';
import { isSynfinError } from '../../core/errors.ts';
import type { ModelResult } from '../../evaluation/prequential.ts';
import { evaluateRun } from '../../evaluation/report.ts';
import { parseEvaluationSettings } from '../../evaluation/settings.ts';
import { clickhouseClient, latestLabelsSql, quoteString } from '../../sinks/clickhouse/reader.ts';

export interface QualityCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface QualityReport {
  prefix: string;
  counts: Record<string, number>;
  checks: QualityCheck[];
  nullRates: Record<string, number>;
  distributions: Record<string, Record<string, number>>;
  /**
   * How well the rule score and the trained baseline detect the run's fraud (`synfin evaluate`
   * with its defaults), or why the run cannot be evaluated (too short, no features landed).
   */
  detection: { models: Record<string, ModelResult['overall']> } | { skipped: string };
}

/** Each entity, and the attributes of it a transaction copies: [column of the entity, of the transaction]. */
const ENTITY_CHECKS = [
  {
    entity: 'customer_id',
    table: 'customers',
    attributes: [['account_id', 'account_id']],
  },
  {
    entity: 'merchant_id',
    table: 'merchants',
    attributes: [
      ['name', 'merchant_name'],
      ['mcc', 'mcc'],
      ['city', 'merchant_city'],
    ],
  },
] as const;

async function detectionOf(config: ClickhouseConfig, prefix: string): Promise<QualityReport['detection']> {
  try {
    const report = await evaluateRun(config, prefix, parseEvaluationSettings({}));
    return { models: Object.fromEntries(report.results.map((result) => [result.model, result.overall])) };
  } catch (error) {
    if (isSynfinError(error) && error.code === 'EVALUATION_NOT_POSSIBLE') return { skipped: error.message };
    throw error;
  }
}

export async function validateRun(
  config: ClickhouseConfig,
  prefix: string,
  options: { expectedFraudRate?: number | undefined } = {},
): Promise<QualityReport> {
  const client = clickhouseClient(config, config.database);
  const rows = async <T>(query: string) =>
    (await (await client.query({ query, format: 'JSONEachRow' })).json<T>()) as T[];
  const number = async (query: string) =>
    Number(Object.values((await rows<Record<string, unknown>>(query))[0] ?? {})[0] ?? 0);
  const topic = (name: string) => quoteString(`${prefix}.${name}`);
  try {
    const counts = {
      customers: await number(
        `SELECT count() FROM customers FINAL WHERE kafka_topic = ${topic('customers')}`,
      ),
      merchants: await number(
        `SELECT count() FROM merchants FINAL WHERE kafka_topic = ${topic('merchants')}`,
      ),
      transactions: await number(
        `SELECT count() FROM transactions WHERE kafka_topic = ${topic('transactions')}`,
      ),
      fraud_labels: await number(`SELECT count() FROM fraud_labels WHERE kafka_topic = ${topic('labels')}`),
      transaction_features: await number(
        `SELECT count() FROM transaction_features WHERE kafka_topic = ${topic('features')}`,
      ),
      dead_letters: await number(
        `SELECT count() FROM dead_letters WHERE startsWith(kafka_topic, ${quoteString(`${prefix}.`)})`,
      ),
    };
    const checks: QualityCheck[] = [];
    const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

    const duplicates =
      counts.transactions -
      (await number(
        `SELECT uniqExact(transaction_id) FROM transactions WHERE kafka_topic = ${topic('transactions')}`,
      ));
    check('no duplicate transactions', duplicates === 0, `${duplicates} duplicate transaction ids`);
    // Ids repeat in every run (C0000000 …): a transaction must find its customer and merchant
    // among this run's own (its topic, its run id), with the attributes the transaction copied
    // from them — another run's C0000000 has another account.
    for (const { entity, table, attributes } of ENTITY_CHECKS) {
      const own = attributes.map(([column, copy]) => `${column} AS own_${copy}`).join(', ');
      const differs = attributes.map(([, copy]) => `own_${copy} != ${copy}`).join(' OR ');
      const [found] = await rows<{ orphans: string; mismatched: string }>(
        `SELECT countIf(known = 0) AS orphans, countIf(known = 1 AND (${differs})) AS mismatched
FROM (SELECT run_id, ${entity}, ${attributes.map(([, copy]) => copy).join(', ')} FROM transactions WHERE kafka_topic = ${topic('transactions')})
ANY LEFT JOIN (SELECT run_id, ${entity}, ${own}, 1 AS known FROM ${table} FINAL WHERE kafka_topic = ${topic(table)}) USING (run_id, ${entity})`,
      );
      const orphans = Number(found?.orphans ?? 0);
      const mismatched = Number(found?.mismatched ?? 0);
      check(
        `every transaction's ${entity} is one of this run's ${table}`,
        orphans === 0,
        `${orphans} transactions without one`,
      );
      check(
        `${table} match what this run's transactions say of them (${attributes.map(([column]) => column).join(', ')})`,
        mismatched === 0,
        `${mismatched} transactions disagree`,
      );
    }
    const unmatchedLabels = await number(
      `SELECT count() FROM fraud_labels WHERE kafka_topic = ${topic('labels')} AND transaction_id NOT IN (SELECT transaction_id FROM transactions WHERE kafka_topic = ${topic('transactions')})`,
    );
    check(
      'every label belongs to a transaction',
      unmatchedLabels === 0,
      `${unmatchedLabels} labels without one`,
    );
    if (counts.transaction_features > 0)
      check(
        'every transaction has its features',
        counts.transaction_features === counts.transactions,
        `${counts.transaction_features} feature rows for ${counts.transactions} transactions`,
      );
    // By each transaction's latest label version: a correction overturns the first.
    const fraud = await number(
      `SELECT sum(is_fraud) FROM (${latestLabelsSql(`kafka_topic = ${topic('labels')}`)})`,
    );
    const observed = counts.transactions > 0 ? fraud / counts.transactions : 0;
    if (options.expectedFraudRate !== undefined) {
      // Labels trail their transactions and some fraud is never reported (recall below 1): the
      // labelled rate is a lower bound.
      const expected = options.expectedFraudRate;
      const ok = Math.abs(observed - expected) <= Math.max(0.5 * expected, 0.002);
      check(
        'labelled fraud rate near the configured one',
        ok,
        `${observed.toFixed(4)} labelled vs ${expected} configured`,
      );
    }

    const nullable = await rows<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = ${quoteString(config.database)} AND table = 'transaction_features' AND startsWith(type, 'Nullable')`,
    );
    const nullRates: Record<string, number> = {};
    if (nullable.length > 0 && counts.transaction_features > 0) {
      const expressions = nullable.map((c) => `countIf(isNull(${c.name})) / count() AS ${c.name}`).join(', ');
      const [rates] = await rows<Record<string, number>>(
        `SELECT ${expressions} FROM transaction_features WHERE kafka_topic = ${topic('features')}`,
      );
      for (const [name, rate] of Object.entries(rates ?? {})) nullRates[name] = Number(rate);
    }

    const distributions: Record<string, Record<string, number>> = {};
    const [amount] = await rows<Record<string, number>>(
      `SELECT min(amount_minor) AS min, quantileExact(0.5)(amount_minor) AS p50, quantileExact(0.9)(amount_minor) AS p90, quantileExact(0.99)(amount_minor) AS p99, max(amount_minor) AS max, avg(amount_minor) AS mean FROM transactions WHERE kafka_topic = ${topic('transactions')}`,
    );
    distributions.amount_minor = Object.fromEntries(
      Object.entries(amount ?? {}).map(([k, v]) => [k, Number(v)]),
    );
    for (const column of ['channel', 'merchant_category']) {
      const byValue = await rows<{ value: string; n: string }>(
        `SELECT ${column} AS value, count() AS n FROM transactions WHERE kafka_topic = ${topic('transactions')} GROUP BY value ORDER BY n DESC LIMIT 10`,
      );
      distributions[column] = Object.fromEntries(byValue.map((r) => [r.value, Number(r.n)]));
    }
    distributions.fraud = { labelled: fraud, rate: Number(observed.toFixed(6)) };
    check('the run has transactions', counts.transactions > 0, `${counts.transactions} transactions`);
    return { prefix, counts, checks, nullRates, distributions, detection: await detectionOf(config, prefix) };
  } finally {
    await client.close();
  }
}
