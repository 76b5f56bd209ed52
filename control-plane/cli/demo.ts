/**
 * `npm run demo`: the whole pipeline in one command. Brings the services up (compose where Docker
 * answers, else the native stack), starts the control plane, starts a seeded run with every
 * processor and sink through its REST API, shows progress live, and ends with a summary and
 * ClickHouse queries to paste — each printed with its real result.
 */
import { spawnSync } from 'node:child_process';
import colors from 'picocolors';
import { loadConfig } from '../../core/config/load.ts';
import { createLogger } from '../../core/logger.ts';
import { freePort } from '../../core/ports.ts';
import { clickhouseClient, quoteString } from '../../sinks/clickhouse/reader.ts';
import { newApiKey } from '../http/auth.ts';
import { startControlPlane } from '../serve.ts';
import { controlPlaneClient } from './client.ts';
import { runEntry, runInherited } from './entry.ts';
import { validateRun } from './validate.ts';
import { describeStatus, watchRun } from './watch.ts';

function dockerAnswers(): boolean {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
  return result.status === 0;
}

/** Up the four services; returns the SYNFIN_ENV that points at them. */
async function servicesUp(say: (line: string) => void): Promise<string | undefined> {
  if (dockerAnswers()) {
    say('Docker answers: starting Kafka, the registry, ClickHouse and Postgres with docker compose');
    const code = await runInherited('docker', [
      'compose',
      'up',
      '-d',
      '--wait',
      'kafka',
      'schema-registry',
      'clickhouse',
      'postgres',
    ]);
    if (code !== 0) throw new Error('docker compose up failed');
    return 'compose';
  }
  say('No Docker engine: starting the native stack (npm run stack -- up)');
  const code = await runEntry('deploy/local/stack', ['up']);
  if (code !== 0) throw new Error('npm run stack -- up failed');
  return process.env.SYNFIN_ENV;
}

export interface DemoOptions {
  customers: number;
  days: number;
  seed: number;
}

export async function demo(options: DemoOptions): Promise<void> {
  const say = (line: string) => console.log(colors.bold(`» ${line}`));
  const env = await servicesUp(say);
  if (env) process.env.SYNFIN_ENV = env;
  // The stages log JSON at warn and above; the demo prints its own progress.
  process.env.SYNFIN_LOG__LEVEL ??= 'warn';
  const { key, entry } = newApiKey('demo');
  const port = await freePort();
  const config = loadConfig({ overrides: { controlPlane: { apiKeyHashes: [entry], port } } });
  const logger = createLogger({ ...config.log, level: 'warn', pretty: false });
  say(`control plane on http://127.0.0.1:${port} (docs at /docs)`);
  const controlPlane = await startControlPlane(config, logger);
  const client = controlPlaneClient({ url: controlPlane.url, apiKey: key });
  try {
    const spec = {
      name: 'demo',
      seed: options.seed,
      mode: 'backfill',
      customers: options.customers,
      merchants: Math.max(20, Math.round(options.customers / 8)),
      days: options.days,
      fraud: { rate: 0.02 },
      partitions: 3,
      processors: true,
      sinks: ['clickhouse', 'postgres'],
    };
    say(
      `starting a seeded backfill: ${spec.customers} customers, ${spec.merchants} merchants, ${spec.days} days`,
    );
    const started = await client.start(spec);
    console.log(`   POST /v1/runs → ${started.id} (${started.state})`);
    const final = await watchRun(client, started.id);
    say(`run ${final.state}: ${describeStatus(final)}`);
    if (final.state !== 'completed') throw new Error(`the run ended ${final.state}: ${final.error ?? ''}`);

    const report = await validateRun(config.clickhouse, started.id, { expectedFraudRate: spec.fraud.rate });
    say('data quality (synfin validate)');
    for (const check of report.checks)
      console.log(
        `   ${check.ok ? colors.green('ok  ') : colors.red('FAIL')} ${check.name}: ${check.detail}`,
      );
    if ('skipped' in report.detection) say(`detection: not evaluated (${report.detection.skipped})`);
    else {
      say(`how hard is this run? (synfin evaluate --run ${started.id})`);
      for (const [model, overall] of Object.entries(report.detection.models))
        console.log(
          `   ${model.padEnd(20)} AUC ${overall.auc?.toFixed(3) ?? '—'}  AP ${overall.averagePrecision?.toFixed(3) ?? '—'}  CP@100 ${overall.cardPrecisionAtK?.toFixed(3) ?? '—'}`,
        );
    }
    await showQueries(config.clickhouse, started.id);
    say(
      `done. The services keep running: \`npm run stack -- down\` (or \`docker compose down\`) stops them.`,
    );
  } finally {
    await controlPlane.close();
  }
}

async function showQueries(
  clickhouse: ReturnType<typeof loadConfig>['clickhouse'],
  runId: string,
): Promise<void> {
  const client = clickhouseClient(clickhouse, clickhouse.database);
  const topic = (name: string) => quoteString(`${runId}.${name}`);
  const queries = [
    {
      title: 'Labelled fraud rate per merchant category',
      sql: `SELECT merchant_category, count() AS transactions, sum(is_fraud) AS fraud, round(sum(is_fraud) / count(), 4) AS fraud_rate
FROM (SELECT transaction_id, merchant_category FROM transactions WHERE kafka_topic = ${topic('transactions')})
ANY LEFT JOIN (SELECT transaction_id, is_fraud FROM fraud_labels FINAL WHERE kafka_topic = ${topic('labels')}) USING transaction_id
GROUP BY merchant_category ORDER BY fraud_rate DESC LIMIT 5`,
    },
    {
      title: 'The riskiest purchases by the rule score, with the rules that fired',
      sql: `SELECT transaction_id, merchant_category, amount_minor / 100 AS amount, risk_score, rules_fired
FROM transaction_features WHERE kafka_topic = ${topic('features')} ORDER BY risk_score DESC, transaction_id LIMIT 5`,
    },
    {
      title: 'Do the features separate fraud? Purchases later labelled fraud vs the rest',
      sql: `SELECT transaction_id IN (SELECT transaction_id FROM transactions_labeled WHERE kafka_topic = ${topic('labeled')} AND is_fraud = 1) AS labelled_fraud,
  count() AS purchases, round(avg(risk_score), 1) AS mean_risk_score, round(avg(amount_zscore_30d), 2) AS mean_amount_zscore
FROM transaction_features WHERE kafka_topic = ${topic('features')} GROUP BY labelled_fraud ORDER BY labelled_fraud`,
    },
    {
      title:
        'Who was hit: this run’s customers with the most fraud (ids repeat across runs, so the join is on the run too)',
      sql: `SELECT customer_id, first_name, last_name, city, count() AS frauds
FROM (SELECT run_id, customer_id FROM fraud_labels FINAL WHERE kafka_topic = ${topic('labels')} AND is_fraud = 1)
ANY INNER JOIN (SELECT run_id, customer_id, first_name, last_name, city FROM customers FINAL WHERE run_id = ${quoteString(runId)}) USING (run_id, customer_id)
GROUP BY customer_id, first_name, last_name, city ORDER BY frauds DESC, customer_id LIMIT 5`,
    },
  ];
  try {
    for (const query of queries) {
      console.log(`\n${colors.bold(query.title)}\n${colors.dim(query.sql)}`);
      const result = await client.query({ query: query.sql, format: 'JSONEachRow' });
      console.table(await result.json());
    }
  } finally {
    await client.close();
  }
}
