/**
 * Migrations on the real databases: applying them twice is a no-op, and a schema change (the
 * second migration adds a column) keeps the rows already there.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { clickhouseSink } from '../../../sinks/clickhouse/sink.ts';
import type { SinkRecord } from '../../../sinks/engine/sink.ts';
import { postgresSink } from '../../../sinks/postgres/sink.ts';
import type { RecordKind } from '../../../sinks/tables.ts';
import { testConfig, uniqueName } from '../../harness/config.ts';
import { createSinkStores, type SinkStores } from '../../harness/sink-stores.ts';

const base = testConfig(inject('endpoints'));
const logger = createLogger(base.log);
let stores: SinkStores;
const routes = new Map<string, RecordKind>([['t.customers', 'customers']]);

function customer(offset: number): SinkRecord {
  return {
    topic: 't.customers',
    partition: 0,
    offset,
    kind: 'customers',
    timestampMs: Date.now(),
    bytes: 100,
    value: {
      customerId: `C${offset}`,
      accountId: 'A1',
      cardId: 'K1',
      cardLast4: '1234',
      cardBrand: 'VISA',
      cardType: 'DEBIT',
      firstName: 'Ada',
      lastName: 'Tab\there',
      email: 'ada@example.com',
      phone: '+1',
      birthDate: -3_000,
      gender: 'F',
      street: '1 Main St',
      city: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      country: 'US',
      homeLatitude: 39.8,
      homeLongitude: -89.6,
      segment: 'MASS',
      creditLimitMinor: 500_000,
      currency: 'USD',
      meanAmountMinor: 4_500,
      transactionsPerDay: 2.5,
      preferredChannel: 'CARD_PRESENT',
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000 + offset,
    },
  };
}

beforeAll(async () => {
  stores = await createSinkStores(base, uniqueName('migrate'));
});

afterAll(async () => {
  await stores?.drop();
});

describe('clickhouse migrations', () => {
  it('a schema change adds a column and keeps the rows; applying again is a no-op', async () => {
    const first = clickhouseSink(stores.config.clickhouse, { routes, logger, migrateTo: 1 });
    await first.start();
    await first.write([customer(0), customer(1)]);
    await first.close();
    const columnsOf = async (table: string) =>
      stores.chNumber(
        `SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = '${table}' AND name = 'ingested_at'`,
      );
    expect(await columnsOf('transactions')).toBe(0);

    const latest = clickhouseSink(stores.config.clickhouse, { routes, logger });
    await latest.start();
    expect(await columnsOf('transactions')).toBe(1);
    expect(await columnsOf('transaction_features')).toBe(1);
    expect(await stores.chNumber('SELECT count() FROM customers')).toBe(2);
    const tables = await stores.chNumber(
      'SELECT count() FROM system.tables WHERE database = currentDatabase()',
    );
    const versions = await stores.chNumber('SELECT count() FROM schema_migrations');

    await latest.start(); // again: nothing to apply
    expect(
      await stores.chNumber('SELECT count() FROM system.tables WHERE database = currentDatabase()'),
    ).toBe(tables);
    expect(await stores.chNumber('SELECT count() FROM schema_migrations')).toBe(versions);
    expect(versions).toBe(2);
    expect(await stores.chNumber("SELECT count() FROM customers WHERE last_name = 'Tab\\there'")).toBe(2);
    // Dates before 1970 survive (ISO strings: 18.16's Date starts at 1970).
    expect(await stores.chNumber("SELECT count() FROM customers WHERE birth_date = '1961-10-15'")).toBe(2);
    await latest.close();
  });
});

describe('postgres migrations', () => {
  it('a schema change adds a column and keeps the rows; applying again is a no-op', async () => {
    const first = postgresSink(stores.config.postgres, { routes, logger, migrateTo: 1 });
    await first.start();
    await first.write([customer(0), customer(1)]);
    await first.close();
    const hasColumn = () =>
      stores.pgNumber(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'ingested_at'",
      );
    expect(await hasColumn()).toBe(0);

    const latest = postgresSink(stores.config.postgres, { routes, logger });
    await latest.start();
    expect(await hasColumn()).toBe(1);
    expect(await stores.pgNumber('SELECT count(*) FROM customers WHERE ingested_at IS NOT NULL')).toBe(2);
    await latest.start();
    expect(await stores.pgNumber('SELECT count(*) FROM schema_migrations')).toBe(2);

    // Upserts keep the newest version of an entity, and a replayed batch changes nothing.
    const newer = customer(2);
    (newer.value as Record<string, unknown>).customerId = 'C0';
    await latest.write([newer]);
    await latest.write([customer(0)]);
    const { rows } = await stores.postgres.query(
      "SELECT last_name, birth_date::text AS birth, extract(epoch FROM updated_at) * 1000 AS updated FROM customers WHERE customer_id = 'C0'",
    );
    expect(rows).toEqual([{ last_name: 'Tab\there', birth: '1961-10-15', updated: '1700000000002.000000' }]);
    expect(await stores.pgNumber('SELECT count(*) FROM customers')).toBe(2);
    await latest.close();
  });
});
