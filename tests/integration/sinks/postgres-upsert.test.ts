/**
 * The Postgres sink lands a kind's rows by COPY straight into their table while every key is new,
 * and by the staging upsert once one is not (in the table, or twice in the batch). Whichever way a
 * batch goes, the tables must hold what an upsert leaves — the newest version of an entity, a
 * label once — and the offsets must move with the rows.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { postgresSink } from '../../../sinks/postgres/sink.ts';
import type { RecordKind } from '../../../sinks/tables.ts';
import { customer, encodedRecord, labelValue } from '../../fixtures/sink-records.ts';
import { testConfig, uniqueName } from '../../harness/config.ts';
import { createSinkStores, type SinkStores } from '../../harness/sink-stores.ts';

const base = testConfig(inject('endpoints'));
const logger = createLogger(base.log);
let stores: SinkStores;
const LABELS = 'r1.labels';
const routes = new Map<string, RecordKind>([
  ['r1.customers', 'customers'],
  [LABELS, 'labels'],
]);

beforeAll(async () => {
  stores = await createSinkStores(base, uniqueName('upsert'));
});

afterAll(async () => {
  await stores?.drop();
});

async function customerRows(): Promise<Record<string, string>> {
  const { rows } = await stores.postgres.query<{ customer_id: string; last_name: string }>(
    "SELECT customer_id, last_name FROM customers WHERE run_id = 'r1' ORDER BY customer_id",
  );
  return Object.fromEntries(rows.map((row) => [row.customer_id, row.last_name]));
}

describe('postgres sink upserts', () => {
  it('keeps the newest version of each entity and each label once, whichever way a batch lands', async () => {
    const sink = postgresSink(stores.config.postgres, { routes, logger });
    await sink.start();
    const label = (offset: number, n: number, changes: Record<string, unknown> = {}) =>
      encodedRecord(sink, 'labels', LABELS, offset, labelValue(n, 'r1', changes));

    // All keys new.
    await sink.write([customer(sink, 0), customer(sink, 1), label(0, 1)]);
    expect(await customerRows()).toEqual({ C0: 'Tab\there', C1: 'Tab\there' });

    // C0 again, newer; C1 again, older; C2 new: the newer wins, the older changes nothing.
    await sink.write([
      customer(sink, 2, 'r1', { customerId: 'C0', lastName: 'Newer' }),
      customer(sink, 3, 'r1', { customerId: 'C1', lastName: 'Older', updatedAt: 1_600_000_000_000 }),
      customer(sink, 4, 'r1', { customerId: 'C2' }),
    ]);
    expect(await customerRows()).toEqual({ C0: 'Newer', C1: 'Tab\there', C2: 'Tab\there' });
    await sink.close();

    // A fresh sink tries the straight COPY first: a key twice in one batch (the later version
    // wins) and a label already there (kept as it was) send it the general way.
    const fresh = postgresSink(stores.config.postgres, { routes, logger });
    await fresh.start();
    await fresh.write([
      customer(fresh, 5, 'r1', { customerId: 'C5', lastName: 'First' }),
      customer(fresh, 6, 'r1', { customerId: 'C5', lastName: 'Second' }),
    ]);
    await fresh.write([
      encodedRecord(fresh, 'labels', LABELS, 1, labelValue(1, 'r1', { labelVersion: 2 })),
      encodedRecord(fresh, 'labels', LABELS, 2, labelValue(2)),
    ]);
    await fresh.close();
    expect(await customerRows()).toEqual({ C0: 'Newer', C1: 'Tab\there', C2: 'Tab\there', C5: 'Second' });
    const { rows: labels } = await stores.postgres.query<{ label_id: string; label_version: number }>(
      'SELECT label_id, label_version FROM fraud_labels ORDER BY label_id',
    );
    expect(labels).toEqual([
      { label_id: 'L1', label_version: 1 },
      { label_id: 'L2', label_version: 1 },
    ]);
    const { rows: offsets } = await stores.postgres.query<{ topic: string; next_offset: string }>(
      'SELECT topic, next_offset FROM sink_offsets ORDER BY topic',
    );
    expect(offsets).toEqual([
      { topic: 'r1.customers', next_offset: '7' },
      { topic: LABELS, next_offset: '3' },
    ]);
  });
});
