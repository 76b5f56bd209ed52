/**
 * Where runs are kept: Postgres (`runs`, created by the Postgres migrations), so a restarted
 * control plane finds every run it had. The interface is small so unit tests use a memory store.
 */
import type pg from 'pg';
import type { DriftChange } from '../../producers/drift/manifest.ts';
import type { RunSpec } from './spec.ts';
import type { RunState } from './states.ts';
import type { RunStatus } from './status.ts';

export interface RunRecord {
  id: string;
  name: string;
  /** The id of the API key that started it (null: started without one, or before owners were kept). */
  owner: string | null;
  state: RunState;
  spec: RunSpec;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
  /** Facts that outlive the processes: the producer's final counts, whether it finished. */
  stats: RunStats;
}

export interface RunStats {
  producerDone?: boolean;
  produced?: Record<string, number>;
  fraudTransactions?: number;
  ratePerSecond?: number;
  /** The status when the run ended: what GET /status reports afterwards. */
  lastStatus?: RunStatus;
}

export interface RunQuery {
  state?: RunState | undefined;
  limit: number;
  offset: number;
}

export interface RunStore {
  insert(run: RunRecord): Promise<void>;
  /** Sets the given fields; `stats` is merged into what is stored (top-level keys), not replaced. */
  update(id: string, patch: Partial<Omit<RunRecord, 'id' | 'owner' | 'spec' | 'createdAt'>>): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  list(query: RunQuery): Promise<{ items: RunRecord[]; total: number }>;
  /** Runs not in a terminal state. */
  unfinished(): Promise<RunRecord[]>;
  /** Removes the run and its drift manifest. */
  remove(id: string): Promise<boolean>;
  /** Keeps a run's drift manifest (drift_changes), replacing any it had. */
  saveDrift(id: string, changes: readonly DriftChange[]): Promise<void>;
  /** A run's drift manifest in order (empty when its schedule has no change points). */
  drift(id: string): Promise<DriftChange[]>;
}

interface DriftRow {
  run_id: string;
  seq: number;
  kind: DriftChange['kind'];
  subject: string;
  start_day: number;
  end_day: number;
  start_time: Date;
  end_time: Date;
  from_value: number | null;
  to_value: number | null;
  params: unknown;
  description: string;
}

const DRIFT_COLUMNS =
  'run_id, seq, kind, subject, start_day, end_day, start_time, end_time, from_value, to_value, params, description';

interface RunRow {
  id: string;
  name: string;
  owner: string | null;
  state: RunState;
  config: RunSpec;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  error: string | null;
  stats: RunStats;
  total?: string;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

function fromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    state: row.state,
    spec: row.config,
    createdAt: iso(row.created_at) as string,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    error: row.error,
    stats: row.stats,
  };
}

const COLUMNS: Record<string, string> = {
  name: 'name',
  state: 'state',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  error: 'error',
  stats: 'stats',
};

export function postgresRunStore(pool: pg.Pool): RunStore {
  return {
    async insert(run) {
      await pool.query(
        `INSERT INTO runs (id, name, state, config, created_at, started_at, ended_at, error, stats, owner)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          run.id,
          run.name,
          run.state,
          run.spec,
          run.createdAt,
          run.startedAt,
          run.endedAt,
          run.error,
          run.stats,
          run.owner,
        ],
      );
    },
    async update(id, patch) {
      const entries = Object.entries(patch).filter(([key]) => key in COLUMNS);
      if (entries.length === 0) return;
      // Stats are merged, not replaced: writers of different facts (the producer's summary, a new
      // rate) racing each other must not drop one another's (producerDone above all).
      const sets = entries.map(([key], i) =>
        key === 'stats' ? `stats = stats || $${i + 2}::jsonb` : `${COLUMNS[key]} = $${i + 2}`,
      );
      await pool.query(`UPDATE runs SET ${sets.join(', ')} WHERE id = $1`, [
        id,
        ...entries.map(([, v]) => v),
      ]);
    },
    async get(id) {
      const { rows } = await pool.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
    async list({ state, limit, offset }) {
      const { rows } = await pool.query<RunRow>(
        `SELECT *, count(*) OVER () AS total FROM runs
         WHERE $1::text IS NULL OR state = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
        [state ?? null, limit, offset],
      );
      let total = Number(rows[0]?.total ?? 0);
      if (rows.length === 0 && offset > 0) {
        const counted = await pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM runs WHERE $1::text IS NULL OR state = $1',
          [state ?? null],
        );
        total = Number(counted.rows[0]?.n ?? 0);
      }
      return { items: rows.map(fromRow), total };
    },
    async unfinished() {
      const { rows } = await pool.query<RunRow>(
        `SELECT * FROM runs WHERE state NOT IN ('stopped', 'completed', 'failed', 'interrupted') ORDER BY created_at`,
      );
      return rows.map(fromRow);
    },
    async remove(id) {
      const result = await pool.query('DELETE FROM runs WHERE id = $1', [id]);
      return (result.rowCount ?? 0) > 0;
    },
    async saveDrift(id, changes) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('DELETE FROM drift_changes WHERE run_id = $1', [id]);
        if (changes.length > 0) {
          const rows = changes.map((change) => [
            id,
            change.seq,
            change.kind,
            change.subject,
            change.startDay,
            change.endDay,
            new Date(change.startTime),
            new Date(change.endTime),
            change.fromValue,
            change.toValue,
            change.params,
            change.description,
          ]);
          const width = 12;
          const placeholders = rows.map(
            (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`,
          );
          await client.query(
            `INSERT INTO drift_changes (${DRIFT_COLUMNS}) VALUES ${placeholders.join(', ')}`,
            rows.flat(),
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async drift(id) {
      const { rows } = await pool.query<DriftRow>(
        `SELECT ${DRIFT_COLUMNS} FROM drift_changes WHERE run_id = $1 ORDER BY seq`,
        [id],
      );
      return rows.map((row) => ({
        runId: row.run_id,
        seq: row.seq,
        kind: row.kind,
        subject: row.subject,
        startDay: row.start_day,
        endDay: row.end_day,
        startTime: row.start_time.getTime(),
        endTime: row.end_time.getTime(),
        fromValue: row.from_value,
        toValue: row.to_value,
        // jsonb comes back parsed; the manifest carries it as JSON text, as on the topic.
        params: row.params === null ? null : JSON.stringify(row.params),
        description: row.description,
      }));
    },
  };
}
