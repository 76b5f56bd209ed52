/**
 * ClickHouse schema, versioned. Released migrations are never edited: a change is a new entry.
 * Every statement is in the subset ClickHouse 18.16 and current releases share; where they differ
 * (ADD COLUMN IF NOT EXISTS) the statement is structured and rendered by the dialect.
 *
 * Why these engines: ReplacingMergeTree keeps one row per sort key once parts merge, and `FINAL`
 * gives that view at query time, so a re-delivered row is never counted twice. Entities keep their
 * latest version (`updated_at_ms`). Facts are sorted by customer and time (the feature store's
 * lookup); `transactions_by_merchant` re-sorts purchases by merchant and time. No PARTITION BY:
 * an insert then writes one part, atomically, which is what lets the sink read its own position
 * back (max kafka_offset) after a crash. Timestamps are epoch milliseconds in UInt64 with a
 * DateTime('UTC') beside them (18.16 has no DateTime64); birth dates are ISO strings (Date starts
 * at 1970).
 */
import type { Migration, Statement } from '../../core/migrations/runner.ts';

/** The columns of the entity tables as migration 1 made them (materialized ones left out). */
const ENTITY_TABLES = [
  {
    table: 'customers',
    id: 'customer_id',
    columns: `customer_id, account_id, card_id, card_last_4, card_brand, card_type, first_name, last_name,
    email, phone, birth_date, gender, street, city, region, postal_code, country, home_latitude,
    home_longitude, segment, credit_limit_minor, currency, mean_amount_minor, transactions_per_day,
    preferred_channel, created_at_ms, updated_at_ms, kafka_topic, kafka_partition, kafka_offset`,
  },
  {
    table: 'merchants',
    id: 'merchant_id',
    columns: `merchant_id, name, mcc, category, city, country, latitude, longitude, currency, risk_level,
    online_only, terminal_ids, updated_at_ms, kafka_topic, kafka_partition, kafka_offset`,
  },
];

export const clickhouseMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'tables, views and hourly aggregates',
    statements: [
      `CREATE TABLE IF NOT EXISTS customers (
    customer_id String,
    account_id String,
    card_id String,
    card_last_4 String,
    card_brand String,
    card_type String,
    first_name String,
    last_name String,
    email String,
    phone String,
    birth_date String,
    gender String,
    street String,
    city String,
    region String,
    postal_code String,
    country String,
    home_latitude Float64,
    home_longitude Float64,
    segment String,
    credit_limit_minor Int64,
    currency String,
    mean_amount_minor Int64,
    transactions_per_day Float64,
    preferred_channel String,
    created_at_ms UInt64,
    created_at DateTime('UTC') MATERIALIZED toDateTime(intDiv(created_at_ms, 1000), 'UTC'),
    updated_at_ms UInt64,
    updated_at DateTime('UTC') MATERIALIZED toDateTime(intDiv(updated_at_ms, 1000), 'UTC'),
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64
  ) ENGINE = ReplacingMergeTree(updated_at_ms)
  ORDER BY (customer_id)`,
      `CREATE TABLE IF NOT EXISTS merchants (
    merchant_id String,
    name String,
    mcc String,
    category String,
    city String,
    country String,
    latitude Float64,
    longitude Float64,
    currency String,
    risk_level String,
    online_only UInt8,
    terminal_ids Array(String),
    updated_at_ms UInt64,
    updated_at DateTime('UTC') MATERIALIZED toDateTime(intDiv(updated_at_ms, 1000), 'UTC'),
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64
  ) ENGINE = ReplacingMergeTree(updated_at_ms)
  ORDER BY (merchant_id)`,
      `CREATE TABLE IF NOT EXISTS transactions (
    transaction_id String,
    event_time_ms UInt64,
    event_time DateTime('UTC') MATERIALIZED toDateTime(intDiv(event_time_ms, 1000), 'UTC'),
    customer_id String,
    account_id String,
    card_id String,
    card_last_4 String,
    card_brand String,
    card_type String,
    merchant_id String,
    terminal_id String,
    merchant_name String,
    mcc String,
    merchant_category String,
    merchant_city String,
    merchant_country String,
    merchant_latitude Float64,
    merchant_longitude Float64,
    amount_minor Int64,
    currency String,
    billing_amount_minor Int64,
    billing_currency String,
    fx_rate Float64,
    channel String,
    entry_mode String,
    card_present UInt8,
    transaction_type String,
    is_recurring UInt8,
    installments Int32,
    device_id Nullable(String),
    device_type Nullable(String),
    ip_address Nullable(String),
    ip_country Nullable(String),
    user_agent_family Nullable(String),
    three_ds_result Nullable(String),
    cvv_provided UInt8,
    pin_verified UInt8,
    terminal_latitude Nullable(Float64),
    terminal_longitude Nullable(Float64),
    local_hour Int32,
    auth_result String,
    response_code String,
    decline_reason Nullable(String),
    auth_code Nullable(String),
    issuer_risk_score Int32,
    balance_after_minor Int64,
    sequence_number Int64,
    run_id String,
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64
  ) ENGINE = ReplacingMergeTree()
  ORDER BY (customer_id, event_time_ms, transaction_id)`,
      `CREATE TABLE IF NOT EXISTS fraud_labels (
    label_id String,
    transaction_id String,
    customer_id String,
    card_id String,
    merchant_id String,
    is_fraud UInt8,
    scenario String,
    report_channel String,
    amount_minor Int64,
    currency String,
    transaction_time_ms UInt64,
    transaction_time DateTime('UTC') MATERIALIZED toDateTime(intDiv(transaction_time_ms, 1000), 'UTC'),
    reported_at_ms UInt64,
    reported_at DateTime('UTC') MATERIALIZED toDateTime(intDiv(reported_at_ms, 1000), 'UTC'),
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64
  ) ENGINE = ReplacingMergeTree()
  ORDER BY (transaction_id, label_id)`,
      `CREATE TABLE IF NOT EXISTS transaction_features (
    transaction_id String,
    customer_id String,
    merchant_id String,
    terminal_id String,
    run_id String,
    event_time_ms UInt64,
    event_time DateTime('UTC') MATERIALIZED toDateTime(intDiv(event_time_ms, 1000), 'UTC'),
    amount_minor Int64,
    currency String,
    channel String,
    merchant_category String,
    hour_of_day Int32,
    is_weekend UInt8,
    is_night UInt8,
    customer_tx_count_1d Int32,
    customer_mean_amount_1d Float64,
    customer_tx_count_7d Int32,
    customer_mean_amount_7d Float64,
    customer_tx_count_30d Int32,
    customer_mean_amount_30d Float64,
    customer_tx_count_1h Int32,
    distinct_merchants_24h Int32,
    seconds_since_previous Nullable(Float64),
    amount_zscore_30d Nullable(Float64),
    amount_to_max_30d Float64,
    distance_from_home_km Nullable(Float64),
    distance_from_previous_km Nullable(Float64),
    speed_from_previous_kmh Nullable(Float64),
    merchant_tx_count_1d Int32,
    merchant_risk_1d Float64,
    merchant_tx_count_7d Int32,
    merchant_risk_7d Float64,
    merchant_tx_count_30d Int32,
    merchant_risk_30d Float64,
    risk_score Int32,
    rules_fired Array(String),
    late UInt8,
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64
  ) ENGINE = ReplacingMergeTree()
  ORDER BY (customer_id, event_time_ms, transaction_id)`,
      `CREATE TABLE IF NOT EXISTS transactions_labeled (
    transaction_id String,
    customer_id String,
    merchant_id String,
    terminal_id String,
    run_id String,
    event_time_ms UInt64,
    event_time DateTime('UTC') MATERIALIZED toDateTime(intDiv(event_time_ms, 1000), 'UTC'),
    amount_minor Int64,
    currency String,
    channel String,
    merchant_category String,
    hour_of_day Int32,
    is_weekend UInt8,
    is_night UInt8,
    customer_tx_count_1d Int32,
    customer_mean_amount_1d Float64,
    customer_tx_count_7d Int32,
    customer_mean_amount_7d Float64,
    customer_tx_count_30d Int32,
    customer_mean_amount_30d Float64,
    customer_tx_count_1h Int32,
    distinct_merchants_24h Int32,
    seconds_since_previous Nullable(Float64),
    amount_zscore_30d Nullable(Float64),
    amount_to_max_30d Float64,
    distance_from_home_km Nullable(Float64),
    distance_from_previous_km Nullable(Float64),
    speed_from_previous_kmh Nullable(Float64),
    merchant_tx_count_1d Int32,
    merchant_risk_1d Float64,
    merchant_tx_count_7d Int32,
    merchant_risk_7d Float64,
    merchant_tx_count_30d Int32,
    merchant_risk_30d Float64,
    risk_score Int32,
    rules_fired Array(String),
    late UInt8,
    label_id String,
    is_fraud UInt8,
    scenario String,
    report_channel String,
    reported_at_ms UInt64,
    reported_at DateTime('UTC') MATERIALIZED toDateTime(intDiv(reported_at_ms, 1000), 'UTC'),
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64
  ) ENGINE = ReplacingMergeTree()
  ORDER BY (customer_id, event_time_ms, transaction_id)`,
      `CREATE TABLE IF NOT EXISTS dead_letters (
    received_ms UInt64,
    received_at DateTime('UTC') MATERIALIZED toDateTime(intDiv(received_ms, 1000), 'UTC'),
    stage String,
    error String,
    error_class String,
    source_topic String,
    source_partition Int32,
    source_offset Int64,
    payload_base64 String,
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64
  ) ENGINE = MergeTree()
  ORDER BY (kafka_topic, kafka_partition, kafka_offset)`,
      // Purchases sorted by merchant and time, for per-merchant lookups (18.16 has no projections).
      `CREATE MATERIALIZED VIEW IF NOT EXISTS transactions_by_merchant
  ENGINE = ReplacingMergeTree()
  ORDER BY (merchant_id, event_time_ms, transaction_id)
  AS SELECT merchant_id, event_time_ms, transaction_id, customer_id, merchant_category, channel,
    amount_minor, currency, auth_result, issuer_risk_score, run_id
  FROM transactions`,
      // Dashboard aggregates. The sink writes each row once (it resumes from the offsets the table
      // holds), so insert-time aggregation counts each purchase once.
      `CREATE MATERIALIZED VIEW IF NOT EXISTS transactions_hourly
  ENGINE = AggregatingMergeTree()
  ORDER BY (hour, merchant_category, currency)
  AS SELECT
    toStartOfHour(toDateTime(intDiv(event_time_ms, 1000), 'UTC')) AS hour,
    merchant_category,
    currency,
    countState() AS transactions,
    sumState(amount_minor) AS amount_minor,
    countIfState(auth_result != 'APPROVED') AS declined
  FROM transactions
  GROUP BY hour, merchant_category, currency`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS fraud_hourly
  ENGINE = AggregatingMergeTree()
  ORDER BY (hour, merchant_category)
  AS SELECT
    toStartOfHour(toDateTime(intDiv(event_time_ms, 1000), 'UTC')) AS hour,
    merchant_category,
    countState() AS labeled,
    countIfState(is_fraud = 1) AS fraud
  FROM transactions_labeled
  GROUP BY hour, merchant_category`,
      `CREATE VIEW IF NOT EXISTS fraud_rate_hourly AS
  SELECT hour, merchant_category, transactions, amount_minor, declined, fraud,
    if(transactions = 0, 0, fraud / transactions) AS fraud_rate
  FROM (
    SELECT hour, merchant_category, countMerge(transactions) AS transactions,
      sumMerge(amount_minor) AS amount_minor, countIfMerge(declined) AS declined
    FROM transactions_hourly GROUP BY hour, merchant_category
  ) ANY LEFT JOIN (
    SELECT hour, merchant_category, countIfMerge(fraud) AS fraud
    FROM fraud_hourly GROUP BY hour, merchant_category
  ) USING (hour, merchant_category)`,
      // The training set: every purchase's features with its label where one was reported
      // (label_known = 0: no chargeback yet, which is not the same as not fraud).
      // 18.16 repeats the join key under `*`, so the columns are listed.
      `CREATE VIEW IF NOT EXISTS training_set AS
  SELECT
    transaction_id, customer_id, merchant_id, terminal_id, run_id, event_time_ms, event_time,
    amount_minor, currency, channel, merchant_category, hour_of_day, is_weekend, is_night,
    customer_tx_count_1d, customer_mean_amount_1d, customer_tx_count_7d,
    customer_mean_amount_7d, customer_tx_count_30d, customer_mean_amount_30d,
    customer_tx_count_1h, distinct_merchants_24h, seconds_since_previous, amount_zscore_30d,
    amount_to_max_30d, distance_from_home_km, distance_from_previous_km,
    speed_from_previous_kmh, merchant_tx_count_1d, merchant_risk_1d, merchant_tx_count_7d,
    merchant_risk_7d, merchant_tx_count_30d, merchant_risk_30d, risk_score, rules_fired, late,
    label_id, is_fraud, scenario, report_channel, reported_at_ms, label_id != '' AS label_known
  FROM (SELECT *, event_time FROM transaction_features FINAL)
  ANY LEFT JOIN (
    SELECT transaction_id, label_id, is_fraud, scenario, report_channel, reported_at_ms
    FROM fraud_labels FINAL
  ) USING transaction_id`,
    ],
  },
  {
    version: 2,
    name: 'ingestion time on facts, for end-to-end latency',
    statements: [
      {
        addColumn: {
          table: 'transactions',
          column: 'ingested_at',
          type: "DateTime('UTC') MATERIALIZED now()",
        },
      },
      {
        addColumn: {
          table: 'transaction_features',
          column: 'ingested_at',
          type: "DateTime('UTC') MATERIALIZED now()",
        },
      },
    ],
  },
  {
    version: 3,
    name: 'entities keyed by run: sorting keys (customer_id, run_id), (merchant_id, run_id)',
    // Ids repeat in every run, and ReplacingMergeTree keeps one row per sorting key: without the
    // run in the key, a later run's C0000000 replaced an earlier run's. Rows landed before get
    // their run from their topic (`<run id>.customers`): copied with it, then the copies without
    // it deleted (both harmless to repeat; a copy made twice is one row under FINAL).
    statements: ENTITY_TABLES.flatMap(({ table, id, columns }): Statement[] => {
      const fromTopic = `match(kafka_topic, '\\\\.${table}$')`;
      return [
        { addColumn: { table, column: 'run_id', type: 'String', orderBy: `${id}, run_id` } },
        `INSERT INTO ${table} (${columns}, run_id)
  SELECT ${columns}, replaceRegexpOne(kafka_topic, '\\\\.${table}$', '') FROM ${table}
  WHERE run_id = '' AND ${fromTopic}`,
        `ALTER TABLE ${table} DELETE WHERE run_id = '' AND ${fromTopic}`,
      ];
    }).concat([
      {
        addColumn: {
          table: 'fraud_labels',
          column: 'run_id',
          // Not in the sorting key, so rows landed before read their run off their topic.
          type: "String DEFAULT if(match(kafka_topic, '\\\\.labels$'), replaceRegexpOne(kafka_topic, '\\\\.labels$', ''), '')",
        },
      },
    ]),
  },
  {
    version: 4,
    name: 'hourly aggregates computed from the raw tables, exact after any outage',
    // An insert into a table with materialized views is not atomic across them: a server that
    // stops mid-insert can keep the block in the table and lose it in a view, and the table's
    // position then says "landed". So the aggregates are views over the raw tables (FINAL: a
    // re-delivered row counts once) with the same columns — `countMerge(transactions)` still
    // works — exact whenever the raw tables are. Repeating the statements is harmless.
    statements: [
      'DROP TABLE IF EXISTS transactions_hourly',
      `CREATE VIEW IF NOT EXISTS transactions_hourly AS
  SELECT
    toStartOfHour(toDateTime(intDiv(event_time_ms, 1000), 'UTC')) AS hour,
    merchant_category,
    currency,
    countState() AS transactions,
    sumState(amount_minor) AS amount_minor,
    countIfState(auth_result != 'APPROVED') AS declined
  FROM transactions FINAL
  GROUP BY hour, merchant_category, currency`,
      'DROP TABLE IF EXISTS fraud_hourly',
      `CREATE VIEW IF NOT EXISTS fraud_hourly AS
  SELECT
    toStartOfHour(toDateTime(intDiv(event_time_ms, 1000), 'UTC')) AS hour,
    merchant_category,
    countState() AS labeled,
    countIfState(is_fraud = 1) AS fraud
  FROM transactions_labeled FINAL
  GROUP BY hour, merchant_category`,
    ],
  },
  {
    version: 5,
    name: "the fraud handbook's features: TX_DURING_NIGHT and the terminal windows; handbook_features",
    // New feature columns default to 0 for rows landed before (the features schema gives them the
    // same Avro defaults). The training set lists its columns (18.16 repeats the join key under
    // `*`), so it is made again with them; handbook_features names them as the handbook does.
    statements: [
      ...['transaction_features', 'transactions_labeled'].flatMap((table): Statement[] => [
        { addColumn: { table, column: 'tx_during_night', type: 'UInt8 DEFAULT 0' } },
        ...[1, 7, 30].flatMap((days): Statement[] => [
          { addColumn: { table, column: `terminal_tx_count_${days}d`, type: 'Int32 DEFAULT 0' } },
          { addColumn: { table, column: `terminal_risk_${days}d`, type: 'Float64 DEFAULT 0' } },
        ]),
      ]),
      'DROP TABLE IF EXISTS training_set',
      `CREATE VIEW IF NOT EXISTS training_set AS
  SELECT
    transaction_id, customer_id, merchant_id, terminal_id, run_id, event_time_ms, event_time,
    amount_minor, currency, channel, merchant_category, hour_of_day, is_weekend, is_night,
    tx_during_night, customer_tx_count_1d, customer_mean_amount_1d, customer_tx_count_7d,
    customer_mean_amount_7d, customer_tx_count_30d, customer_mean_amount_30d,
    customer_tx_count_1h, distinct_merchants_24h, seconds_since_previous, amount_zscore_30d,
    amount_to_max_30d, distance_from_home_km, distance_from_previous_km,
    speed_from_previous_kmh, merchant_tx_count_1d, merchant_risk_1d, merchant_tx_count_7d,
    merchant_risk_7d, merchant_tx_count_30d, merchant_risk_30d, terminal_tx_count_1d,
    terminal_risk_1d, terminal_tx_count_7d, terminal_risk_7d, terminal_tx_count_30d,
    terminal_risk_30d, risk_score, rules_fired, late,
    label_id, is_fraud, scenario, report_channel, reported_at_ms, label_id != '' AS label_known
  FROM (SELECT *, event_time FROM transaction_features FINAL)
  ANY LEFT JOIN (
    SELECT transaction_id, label_id, is_fraud, scenario, report_channel, reported_at_ms
    FROM fraud_labels FINAL
  ) USING transaction_id`,
      // Amounts in major units, as the handbook's TX_AMOUNT (every currency here has 2 decimals).
      `CREATE VIEW IF NOT EXISTS handbook_features AS
  SELECT
    transaction_id AS TRANSACTION_ID, event_time AS TX_DATETIME, customer_id AS CUSTOMER_ID,
    terminal_id AS TERMINAL_ID, amount_minor / 100 AS TX_AMOUNT, run_id,
    is_weekend AS TX_DURING_WEEKEND, tx_during_night AS TX_DURING_NIGHT,
    customer_tx_count_1d AS CUSTOMER_ID_NB_TX_1DAY_WINDOW,
    customer_mean_amount_1d / 100 AS CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW,
    customer_tx_count_7d AS CUSTOMER_ID_NB_TX_7DAY_WINDOW,
    customer_mean_amount_7d / 100 AS CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW,
    customer_tx_count_30d AS CUSTOMER_ID_NB_TX_30DAY_WINDOW,
    customer_mean_amount_30d / 100 AS CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW,
    terminal_tx_count_1d AS TERMINAL_ID_NB_TX_1DAY_WINDOW,
    terminal_risk_1d AS TERMINAL_ID_RISK_1DAY_WINDOW,
    terminal_tx_count_7d AS TERMINAL_ID_NB_TX_7DAY_WINDOW,
    terminal_risk_7d AS TERMINAL_ID_RISK_7DAY_WINDOW,
    terminal_tx_count_30d AS TERMINAL_ID_NB_TX_30DAY_WINDOW,
    terminal_risk_30d AS TERMINAL_ID_RISK_30DAY_WINDOW,
    is_fraud AS TX_FRAUD, label_known
  FROM training_set`,
    ],
  },
  {
    version: 6,
    name: 'label versions: status, version and finality on labels and training rows; the training set takes the latest version',
    // Corrections give a transaction a second label (label_id ending in -2, label_version 2), so
    // the training set takes the highest version per transaction (argMax over a renamed version:
    // 18.16 resolves a column to the alias of the same name, and max(label_version) AS
    // label_version then nests one aggregate in the others), and says how old the
    // label was when it arrived. A training row of each version is kept: the version joins
    // transactions_labeled's sorting key.
    statements: [
      { addColumn: { table: 'fraud_labels', column: 'label_status', type: "String DEFAULT 'REPORTED'" } },
      { addColumn: { table: 'fraud_labels', column: 'label_version', type: 'Int32 DEFAULT 1' } },
      { addColumn: { table: 'fraud_labels', column: 'label_final', type: 'UInt8 DEFAULT 1' } },
      {
        addColumn: {
          table: 'transactions_labeled',
          column: 'label_version',
          // No DEFAULT: 18.16 refuses one on a column joining the sorting key. Rows landed
          // before read 0, which orders them first, as the first version they were.
          type: 'Int32',
          orderBy: 'customer_id, event_time_ms, transaction_id, label_version',
        },
      },
      {
        addColumn: {
          table: 'transactions_labeled',
          column: 'label_status',
          type: "String DEFAULT 'REPORTED'",
        },
      },
      {
        addColumn: { table: 'transactions_labeled', column: 'label_final', type: 'UInt8 DEFAULT 1' },
      },
      {
        addColumn: {
          table: 'transactions_labeled',
          column: 'label_age_ms',
          type: 'Int64 DEFAULT 0',
        },
      },
      'DROP TABLE IF EXISTS training_set',
      `CREATE VIEW IF NOT EXISTS training_set AS
  SELECT
    transaction_id, customer_id, merchant_id, terminal_id, run_id, event_time_ms, event_time,
    amount_minor, currency, channel, merchant_category, hour_of_day, is_weekend, is_night,
    tx_during_night, customer_tx_count_1d, customer_mean_amount_1d, customer_tx_count_7d,
    customer_mean_amount_7d, customer_tx_count_30d, customer_mean_amount_30d,
    customer_tx_count_1h, distinct_merchants_24h, seconds_since_previous, amount_zscore_30d,
    amount_to_max_30d, distance_from_home_km, distance_from_previous_km,
    speed_from_previous_kmh, merchant_tx_count_1d, merchant_risk_1d, merchant_tx_count_7d,
    merchant_risk_7d, merchant_tx_count_30d, merchant_risk_30d, terminal_tx_count_1d,
    terminal_risk_1d, terminal_tx_count_7d, terminal_risk_7d, terminal_tx_count_30d,
    terminal_risk_30d, risk_score, rules_fired, late,
    label_id, is_fraud, scenario, report_channel, reported_at_ms, label_status, label_version,
    label_final, label_id != '' AS label_known,
    if(label_id != '', toInt64(reported_at_ms) - toInt64(event_time_ms), 0) AS label_age_ms
  FROM (SELECT *, event_time FROM transaction_features FINAL)
  ANY LEFT JOIN (
    SELECT transaction_id, argMax(label_id, version) AS label_id,
      argMax(is_fraud, version) AS is_fraud, argMax(scenario, version) AS scenario,
      argMax(report_channel, version) AS report_channel,
      argMax(reported_at_ms, version) AS reported_at_ms,
      argMax(label_status, version) AS label_status, max(version) AS label_version,
      argMax(label_final, version) AS label_final
    FROM (SELECT *, label_version AS version FROM fraud_labels FINAL)
    GROUP BY transaction_id
  ) USING transaction_id`,
      // A purchase counts once, as fraud if its latest label says so (an overturned one does not).
      'DROP TABLE IF EXISTS fraud_hourly',
      `CREATE VIEW IF NOT EXISTS fraud_hourly AS
  SELECT hour, merchant_category, countState() AS labeled, countIfState(is_fraud = 1) AS fraud
  FROM (
    SELECT toStartOfHour(toDateTime(intDiv(any(event_time_ms), 1000), 'UTC')) AS hour,
      any(merchant_category) AS merchant_category, argMax(is_fraud, label_version) AS is_fraud
    FROM transactions_labeled FINAL
    GROUP BY transaction_id
  )
  GROUP BY hour, merchant_category`,
    ],
  },
];
