/**
 * Postgres schema of the sink, versioned. Released migrations are never edited: a change is a new
 * entry — with one exception, the control plane's tables, whose statements moved to its own
 * migrations (written to be harmless where these ran before). Each
 * migration runs in one transaction (Postgres DDL is transactional), under an advisory lock so
 * instances starting together apply it once.
 */
import type { Migration } from '../../core/migrations/runner.ts';

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'entities, labels, dead letters, sink offsets, runs',
    // The runs table this once created is the control plane's now (control-plane/runs/migrations.ts).
    statements: [
      `CREATE TABLE IF NOT EXISTS customers (
    customer_id text NOT NULL,
    account_id text NOT NULL,
    card_id text NOT NULL,
    card_last_4 text NOT NULL,
    card_brand text NOT NULL,
    card_type text NOT NULL,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL,
    phone text NOT NULL,
    birth_date date NOT NULL,
    gender text NOT NULL,
    street text NOT NULL,
    city text NOT NULL,
    region text NOT NULL,
    postal_code text NOT NULL,
    country text NOT NULL,
    home_latitude double precision NOT NULL,
    home_longitude double precision NOT NULL,
    segment text NOT NULL,
    credit_limit_minor bigint NOT NULL,
    currency text NOT NULL,
    mean_amount_minor bigint NOT NULL,
    transactions_per_day double precision NOT NULL,
    preferred_channel text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    kafka_topic text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset bigint NOT NULL,
    PRIMARY KEY (customer_id)
  )`,
      `CREATE TABLE IF NOT EXISTS merchants (
    merchant_id text NOT NULL,
    name text NOT NULL,
    mcc text NOT NULL,
    category text NOT NULL,
    city text NOT NULL,
    country text NOT NULL,
    latitude double precision NOT NULL,
    longitude double precision NOT NULL,
    currency text NOT NULL,
    risk_level text NOT NULL,
    online_only boolean NOT NULL,
    terminal_ids text[] NOT NULL,
    updated_at timestamptz NOT NULL,
    kafka_topic text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset bigint NOT NULL,
    PRIMARY KEY (merchant_id)
  )`,
      `CREATE TABLE IF NOT EXISTS fraud_labels (
    label_id text NOT NULL,
    transaction_id text NOT NULL,
    customer_id text NOT NULL,
    card_id text NOT NULL,
    merchant_id text NOT NULL,
    is_fraud boolean NOT NULL,
    scenario text NOT NULL,
    report_channel text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    transaction_time timestamptz NOT NULL,
    reported_at timestamptz NOT NULL,
    kafka_topic text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset bigint NOT NULL,
    PRIMARY KEY (label_id)
  )`,
      'CREATE INDEX IF NOT EXISTS fraud_labels_transaction ON fraud_labels (transaction_id)',
      'CREATE INDEX IF NOT EXISTS fraud_labels_customer ON fraud_labels (customer_id, transaction_time)',
      `CREATE TABLE IF NOT EXISTS dead_letters (
    id bigserial PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now(),
    stage text NOT NULL,
    error text NOT NULL,
    error_class text NOT NULL,
    source_topic text NOT NULL,
    source_partition integer NOT NULL,
    source_offset bigint NOT NULL,
    payload bytea,
    kafka_topic text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset bigint NOT NULL,
    UNIQUE (kafka_topic, kafka_partition, kafka_offset)
  )`,
      // How far each topic partition has landed, written in the same transaction as the rows.
      `CREATE TABLE IF NOT EXISTS sink_offsets (
    topic text NOT NULL,
    partition integer NOT NULL,
    next_offset bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
  )`,
    ],
  },
  {
    version: 2,
    name: 'ingestion time on entities and labels',
    statements: [
      'ALTER TABLE customers ADD COLUMN IF NOT EXISTS ingested_at timestamptz NOT NULL DEFAULT now()',
      'ALTER TABLE merchants ADD COLUMN IF NOT EXISTS ingested_at timestamptz NOT NULL DEFAULT now()',
      'ALTER TABLE fraud_labels ADD COLUMN IF NOT EXISTS ingested_at timestamptz NOT NULL DEFAULT now()',
    ],
  },
  {
    version: 3,
    name: 'the API key that started each run (per-key quotas)',
    // Moved to the control plane's own migrations; the version stays so recorded histories match.
    statements: [],
  },
  {
    version: 4,
    name: 'entities keyed by run: (run_id, customer_id), (run_id, merchant_id)',
    // Rows landed before keep their place: their run is read off their topic (`<run id>.customers`);
    // a row from a topic not named after a run keeps run_id ''.
    statements: [
      ...[
        ['customers', 'customers'],
        ['merchants', 'merchants'],
        ['fraud_labels', 'labels'],
      ].flatMap(([table, kind]) => [
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS run_id text NOT NULL DEFAULT ''`,
        `UPDATE ${table} SET run_id = left(kafka_topic, length(kafka_topic) - ${(kind as string).length + 1})
        WHERE run_id = '' AND kafka_topic LIKE '%.${kind}'`,
      ]),
      // Label ids are run-scoped already (L-<transaction id>); entity ids are not.
      ...['customer', 'merchant'].flatMap((entity) => [
        `ALTER TABLE ${entity}s DROP CONSTRAINT IF EXISTS ${entity}s_pkey`,
        `ALTER TABLE ${entity}s ADD CONSTRAINT ${entity}s_pkey PRIMARY KEY (run_id, ${entity}_id)`,
      ]),
      'CREATE INDEX IF NOT EXISTS fraud_labels_run_customer ON fraud_labels (run_id, customer_id)',
    ],
  },
  {
    version: 5,
    name: 'label versions: status, version and finality on labels',
    statements: [
      "ALTER TABLE fraud_labels ADD COLUMN IF NOT EXISTS label_status text NOT NULL DEFAULT 'REPORTED'",
      'ALTER TABLE fraud_labels ADD COLUMN IF NOT EXISTS label_version integer NOT NULL DEFAULT 1',
      'ALTER TABLE fraud_labels ADD COLUMN IF NOT EXISTS label_final boolean NOT NULL DEFAULT true',
    ],
  },
  {
    version: 6,
    name: 'drift manifests of control-plane runs',
    // Moved to the control plane's own migrations; the version stays so recorded histories match.
    statements: [],
  },
];
