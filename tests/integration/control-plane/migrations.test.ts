/**
 * The control plane migrates its own tables, apart from the sinks, and takes over a database
 * where the Postgres sink's old migrations created the runs table (without the owner column).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateControlPlane } from '../../../control-plane/runs/migrations.ts';
import { createLogger } from '../../../core/logger.ts';
import { uniqueName } from '../../harness/config.ts';
import { testServices } from '../../harness/services.ts';
import { createSinkStores, type SinkStores } from '../../harness/sink-stores.ts';

const { config: base } = testServices();
const logger = createLogger({ level: 'silent', pretty: false });
let stores: SinkStores;

beforeAll(async () => {
  stores = await createSinkStores(base, uniqueName('cpmigrate'));
}, 60_000);

afterAll(async () => {
  await stores?.drop();
});

const tableCount = (names: string) =>
  stores.pgNumber(`SELECT count(*) FROM information_schema.tables WHERE table_name IN (${names})`);

describe('control plane migrations', () => {
  it('adopt a runs table made by the sink migrations of before, keep its rows, and repeat harmlessly', async () => {
    // The shape the Postgres sink's migration 1 gave the runs table.
    await stores.postgres.query(`CREATE TABLE runs (
      id text PRIMARY KEY, name text NOT NULL, state text NOT NULL, config jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), started_at timestamptz, ended_at timestamptz,
      error text, stats jsonb NOT NULL DEFAULT '{}'::jsonb)`);
    await stores.postgres.query(
      `INSERT INTO runs (id, name, state, config) VALUES ('r1', 'old', 'COMPLETED', '{}')`,
    );

    await migrateControlPlane(stores.postgres, logger);
    expect(await tableCount("'runs', 'drift_changes', 'control_plane_migrations'")).toBe(3);
    expect(
      await stores.pgNumber(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'owner'",
      ),
    ).toBe(1);
    expect(await stores.pgNumber("SELECT count(*) FROM runs WHERE id = 'r1' AND name = 'old'")).toBe(1);
    expect(await stores.pgNumber('SELECT count(*) FROM control_plane_migrations')).toBe(2);

    await migrateControlPlane(stores.postgres, logger);
    expect(await stores.pgNumber('SELECT count(*) FROM control_plane_migrations')).toBe(2);
    // The sinks' own history is untouched by the control plane's.
    expect(await tableCount("'schema_migrations'")).toBe(0);
  });
});
