/**
 * Migrations on the real databases: applying them twice is a no-op, and a schema change (the
 * second migration adds a column) keeps the rows already there.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { clickhouseSink } from '../../../sinks/clickhouse/sink.ts';
import { postgresSink } from '../../../sinks/postgres/sink.ts';
import type { RecordKind } from '../../../sinks/tables.ts';
import { customer } from '../../fixtures/sink-records.ts';
import { testConfig, uniqueName } from '../../harness/config.ts';
import { createSinkStores, eventually, type SinkStores } from '../../harness/sink-stores.ts';

const base = testConfig(inject('endpoints'));
const logger = createLogger(base.log);
let stores: SinkStores;
const routes = new Map<string, RecordKind>([
  ['r1.customers', 'customers'],
  ['r2.customers', 'customers'],
]);

/** A customer row as migration 1 defined the table (before entities carried their run). */
function versionOneRow(offset: number): Record<string, unknown> {
  return {
    customer_id: `C${offset}`,
    account_id: 'A1',
    card_id: 'K1',
    card_last_4: '1234',
    card_brand: 'VISA',
    card_type: 'DEBIT',
    first_name: 'Ada',
    last_name: 'Tab\there',
    email: 'ada@example.com',
    phone: '+1',
    birth_date: '1961-10-15',
    gender: 'F',
    street: '1 Main St',
    city: 'Springfield',
    region: 'IL',
    postal_code: '62701',
    country: 'US',
    home_latitude: 39.8,
    home_longitude: -89.6,
    segment: 'MASS',
    credit_limit_minor: 500_000,
    currency: 'USD',
    mean_amount_minor: 4_500,
    transactions_per_day: 2.5,
    preferred_channel: 'CARD_PRESENT',
    kafka_topic: 'r1.customers',
    kafka_partition: 0,
    kafka_offset: offset,
  };
}

beforeAll(async () => {
  stores = await createSinkStores(base, uniqueName('migrate'));
});

afterAll(async () => {
  await stores?.drop();
});

describe('clickhouse migrations', () => {
  it('schema changes keep the rows (their run read off their topic); applying again is a no-op', async () => {
    const first = clickhouseSink(stores.config.clickhouse, { routes, logger, migrateTo: 1 });
    await first.start();
    await first.close();
    await stores.clickhouse.insert({
      table: 'customers',
      values: [0, 1].map((offset) => ({
        ...versionOneRow(offset),
        created_at_ms: 1_700_000_000_000,
        updated_at_ms: 1_700_000_000_000 + offset,
      })),
      format: 'JSONEachRow',
    });
    // A label as version 1 landed it: before label versions (migration 6).
    await stores.clickhouse.insert({
      table: 'fraud_labels',
      values: [
        {
          label_id: 'L-r1-T1',
          transaction_id: 'r1-T1',
          customer_id: 'C0',
          card_id: 'K0',
          merchant_id: 'M0',
          is_fraud: 1,
          scenario: 'card_testing',
          report_channel: 'CHARGEBACK',
          amount_minor: 100,
          currency: 'USD',
          transaction_time_ms: 1_700_000_000_000,
          reported_at_ms: 1_700_100_000_000,
          kafka_topic: 'r1.labels',
          kafka_partition: 0,
          kafka_offset: 0,
        },
      ],
      format: 'JSONEachRow',
    });
    const columnsOf = async (table: string, column = 'ingested_at') =>
      stores.chNumber(
        `SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = '${table}' AND name = '${column}'`,
      );
    expect(await columnsOf('transactions')).toBe(0);

    const latest = clickhouseSink(stores.config.clickhouse, { routes, logger });
    await latest.start();
    expect(await columnsOf('transactions')).toBe(1);
    expect(await columnsOf('transaction_features')).toBe(1);
    expect(await columnsOf('customers', 'run_id')).toBe(1);
    expect(await columnsOf('fraud_labels', 'run_id')).toBe(1);
    // The rows landed before are kept, now with the run their topic names (the copy is a mutation).
    const keptWithRun = () => stores.chNumber("SELECT count() FROM customers FINAL WHERE run_id = 'r1'");
    expect(await keptWithRun()).toBe(2);
    await eventually(
      async () => (await stores.chNumber('SELECT count() FROM customers')) === 2,
      30_000,
      () => 'the copies without a run deleted',
    );
    const tables = await stores.chNumber(
      'SELECT count() FROM system.tables WHERE database = currentDatabase()',
    );
    const versions = await stores.chNumber('SELECT count() FROM schema_migrations');

    await latest.start(); // again: nothing to apply
    expect(
      await stores.chNumber('SELECT count() FROM system.tables WHERE database = currentDatabase()'),
    ).toBe(tables);
    expect(await stores.chNumber('SELECT count() FROM schema_migrations')).toBe(versions);
    expect(versions).toBe(6);
    // Migration 6: label versions; the label landed before reads as a final first version.
    // (Read, not filtered: 18.16's PREWHERE fails on `a = 1 AND b = 1` over two columns that an
    // old part lacks — "Column '1' already exists"; sinks/README.md.)
    const labelRows = await (
      await stores.clickhouse.query({
        query: 'SELECT label_version, label_status, label_final FROM fraud_labels',
        format: 'JSONEachRow',
      })
    ).json();
    expect(labelRows).toEqual([{ label_version: 1, label_status: 'REPORTED', label_final: 1 }]);
    for (const column of ['label_version', 'label_status', 'label_final', 'label_age_ms'])
      expect(await columnsOf('transactions_labeled', column), column).toBe(1);
    expect(await columnsOf('training_set', 'label_age_ms')).toBe(1);
    // Migration 5: the handbook's features, in both feature tables, and named as it names them.
    for (const table of ['transaction_features', 'transactions_labeled'])
      for (const column of ['tx_during_night', 'terminal_tx_count_30d', 'terminal_risk_1d'])
        expect(await columnsOf(table, column), `${table}.${column}`).toBe(1);
    expect(
      await stores.chNumber(
        "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = 'handbook_features' AND name IN ('TX_DURING_NIGHT', 'TERMINAL_ID_RISK_7DAY_WINDOW', 'TX_FRAUD')",
      ),
    ).toBe(3);

    // Another run's C0 is its own row, not a newer version of r1's.
    await latest.write([customer(latest, 0, 'r2'), customer(latest, 1, 'r2')]);
    expect(await stores.chNumber('SELECT count() FROM customers FINAL')).toBe(4);
    expect(
      await stores.chNumber("SELECT count() FROM customers FINAL WHERE first_name = 'Ada' AND run_id = 'r1'"),
    ).toBe(2);
    expect(await stores.chNumber("SELECT count() FROM customers WHERE last_name = 'Tab\\there'")).toBe(4);
    // Dates before 1970 survive (ISO strings: 18.16's Date starts at 1970).
    expect(await stores.chNumber("SELECT count() FROM customers WHERE birth_date = '1961-10-15'")).toBe(4);
    await latest.close();
  });
});

describe('postgres migrations', () => {
  it('schema changes keep the rows (their run read off their topic); applying again is a no-op', async () => {
    const first = postgresSink(stores.config.postgres, { routes, logger, migrateTo: 1 });
    await first.start();
    await first.close();
    for (const offset of [0, 1]) {
      const row = versionOneRow(offset);
      const names = Object.keys(row);
      await stores.postgres.query(
        `INSERT INTO customers (${names.join(', ')}, created_at, updated_at)
         VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}, to_timestamp(1700000000), to_timestamp(1700000000))`,
        Object.values(row),
      );
    }
    const hasColumn = (column: string) =>
      stores.pgNumber(
        `SELECT count(*) FROM information_schema.columns WHERE table_name = 'customers' AND column_name = '${column}'`,
      );
    expect(await hasColumn('ingested_at')).toBe(0);

    const latest = postgresSink(stores.config.postgres, { routes, logger });
    await latest.start();
    expect(await hasColumn('ingested_at')).toBe(1);
    expect(await stores.pgNumber('SELECT count(*) FROM customers WHERE ingested_at IS NOT NULL')).toBe(2);
    expect(await stores.pgNumber("SELECT count(*) FROM customers WHERE run_id = 'r1'")).toBe(2);
    await latest.start();
    expect(await stores.pgNumber('SELECT count(*) FROM schema_migrations')).toBe(6);
    // The control plane's tables are its own migrations' (control-plane/runs/migrations.ts).
    expect(
      await stores.pgNumber(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('runs', 'drift_changes')",
      ),
    ).toBe(0);
    for (const column of ['label_status', 'label_version', 'label_final'])
      expect(
        await stores.pgNumber(
          `SELECT count(*) FROM information_schema.columns WHERE table_name = 'fraud_labels' AND column_name = '${column}'`,
        ),
        column,
      ).toBe(1);

    // Upserts keep the newest version of an entity, and a replayed batch changes nothing.
    await latest.write([customer(latest, 2, 'r1', { customerId: 'C0' })]);
    await latest.write([customer(latest, 0)]);
    const { rows } = await stores.postgres.query(
      "SELECT last_name, birth_date::text AS birth, extract(epoch FROM updated_at) * 1000 AS updated FROM customers WHERE run_id = 'r1' AND customer_id = 'C0'",
    );
    expect(rows).toEqual([{ last_name: 'Tab\there', birth: '1961-10-15', updated: '1700000000002.000000' }]);
    expect(await stores.pgNumber('SELECT count(*) FROM customers')).toBe(2);
    // Another run's C0 is its own row.
    await latest.write([customer(latest, 0, 'r2')]);
    expect(await stores.pgNumber('SELECT count(*) FROM customers')).toBe(3);
    expect(
      await stores.pgNumber("SELECT count(*) FROM customers WHERE run_id = 'r1' AND first_name = 'Ada'"),
    ).toBe(2);
    await latest.close();
  });
});
