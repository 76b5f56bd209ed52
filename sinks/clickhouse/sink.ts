/**
 * The ClickHouse sink: analytics and the feature store. Each row carries its Kafka topic,
 * partition and offset; an insert of one batch into an unpartitioned MergeTree table is one part,
 * atomic, so `max(kafka_offset)` per partition is exactly how far the table has landed. That makes
 * the sink exactly-once on its own, on 18.16 (no insert deduplication tokens) as on current
 * releases; ReplacingMergeTree + FINAL stays as the documented query pattern besides.
 */
import { Readable } from 'node:stream';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { SynfinError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { type Migration, migrate } from '../../core/migrations/runner.ts';
import { coalesce, RowBuffer } from '../engine/row-buffer.ts';
import type { Sink, SinkRecord } from '../engine/sink.ts';
import { type AvroKind, columnsOfKind, type RecordKind, TABLES } from '../tables.ts';
import { AvroReader, type Transcode } from './avro-transcoder.ts';
import type { ClickhouseConnection } from './connection.ts';
import { addColumnPlan, parseVersion, quoteString, type ServerVersion } from './dialect.ts';
import { classifyInsertError } from './errors.ts';
import { clickhouseMigrations } from './migrations.ts';
import { type RowBinaryTable, rowBinaryTable } from './row-binary.ts';
import { deadLetterWriter } from './rows.ts';

/**
 * Materialized views a kind's table fills. An insert is not atomic across a table and its views:
 * a server stopping mid-insert can keep the block in the table and lose it in the view, and the
 * table's position then says "landed". So whenever positions are read (on assignment, and after
 * every failed write) the view is checked against the table and given what it lacks.
 */
const FILLED_VIEWS: Partial<Record<AvroKind, { view: string; key: string; columns: string }>> = {
  transactions: {
    view: 'transactions_by_merchant',
    key: 'transaction_id',
    columns: `merchant_id, event_time_ms, transaction_id, customer_id, merchant_category, channel,
      amount_minor, currency, auth_result, issuer_risk_score, run_id`,
  },
};

export interface ClickhouseSinkOptions {
  /** Topic → kind of record, for the topics this sink lands. */
  routes: ReadonlyMap<string, RecordKind>;
  logger: Logger;
  migrations?: readonly Migration[];
  /** Apply migrations up to this version only (tests of schema changes). */
  migrateTo?: number;
}

function unavailable(what: string, cause: unknown): SynfinError {
  return new SynfinError('SINK_UNAVAILABLE', `clickhouse: ${what}: ${String(cause)}`, {
    cause,
    retriable: true,
  });
}

export function clickhouseClient(
  config: ClickhouseConnection,
  database?: string,
  requestTimeoutMs = 60_000,
): ClickHouseClient {
  return createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    ...(database ? { database } : {}),
    request_timeout: requestTimeoutMs,
    // Retries are the sink's business (with positions re-read); a socket kept across a server restart fails once.
    keep_alive: { enabled: true },
    // Failures are the sink's to report (once, with context); the client would log each at ERROR.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

export interface ClickhouseSink extends Sink {
  /** The server version, known after start(). */
  readonly version: ServerVersion | undefined;
}

export function clickhouseSink(config: ClickhouseConnection, options: ClickhouseSinkOptions): ClickhouseSink {
  const log = options.logger.child({ sink: 'clickhouse', database: config.database });
  const client = clickhouseClient(config, config.database);
  /** Per kind landed: its table's RowBinary encoder (built at start, from the server's types) and buffer. */
  const encoders = new Map<
    AvroKind,
    {
      table: RowBinaryTable;
      rows: RowBuffer;
      /** Per writer schema id: its transcoder, or null when its records take the decoded path. */
      transcoders: Map<number, Transcode | null>;
    }
  >();
  const encoderOf = (kind: AvroKind) => {
    const encoder = encoders.get(kind);
    if (!encoder) throw new TypeError(`clickhouse sink has no encoder for ${kind}: start() first`);
    return encoder;
  };
  const reader = new AvroReader();
  let version: ServerVersion | undefined;

  async function rows<T>(query: string): Promise<T[]> {
    const result = await client.query({ query, format: 'JSONEachRow' });
    return result.json<T>();
  }

  async function start(): Promise<void> {
    const admin = clickhouseClient(config);
    try {
      const [row] = await (
        await admin.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })
      ).json<{
        v: string;
      }>();
      version = parseVersion(row?.v ?? '');
      await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` });
    } catch (cause) {
      throw unavailable(`cannot reach ${config.url}`, cause);
    } finally {
      await admin.close();
    }
    const server = version;
    const result = await migrate(
      {
        database: `clickhouse ${config.database}`,
        async appliedVersions() {
          await client.command({
            query: `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_ms UInt64)
              ENGINE = ReplacingMergeTree() ORDER BY version`,
          });
          const applied = await rows<{ version: number }>('SELECT DISTINCT version FROM schema_migrations');
          return new Set(applied.map((r) => Number(r.version)));
        },
        async apply(migration) {
          for (const statement of migration.statements) {
            if (typeof statement === 'string') {
              await client.command({ query: statement });
              continue;
            }
            const plan = addColumnPlan(server, statement);
            const exists = async () =>
              plan.existsQuery !== undefined && (await rows(plan.existsQuery)).length > 0;
            if (await exists()) continue;
            try {
              await client.command({ query: plan.statement });
            } catch (cause) {
              // Another instance migrating at the same moment added it between our check and ALTER.
              if (!(await exists())) throw cause;
            }
          }
          await client.insert({
            table: 'schema_migrations',
            values: [{ version: migration.version, name: migration.name, applied_ms: Date.now() }],
            format: 'JSONEachRow',
          });
        },
      },
      options.migrations ?? clickhouseMigrations,
      options.migrateTo,
    );
    await buildEncoders();
    log.info({ version: server.text, ...result }, 'clickhouse ready');
  }

  /** The encoders of the kinds landed, typed as the server has the tables now (after migrations). */
  async function buildEncoders(): Promise<void> {
    const kinds = [...new Set(options.routes.values())].filter((k): k is AvroKind => k !== 'deadLetters');
    if (kinds.length === 0) return;
    const found = await rows<{ table: string; name: string; type: string }>(
      `SELECT table, name, type FROM system.columns
       WHERE database = currentDatabase() AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')
         AND table IN (${kinds.map((k) => quoteString(TABLES[k])).join(', ')})`,
    );
    for (const kind of kinds) {
      const table = TABLES[kind];
      const types = new Map(found.filter((c) => c.table === table).map((c) => [c.name, c.type]));
      const previous = encoders.get(kind);
      encoders.set(kind, {
        transcoders: new Map(),
        table: rowBinaryTable(table, columnsOfKind(kind), types, options.migrateTo !== undefined),
        rows: previous?.rows ?? new RowBuffer(),
      });
    }
  }

  /** Gives a view the rows of `topic` its table holds and it does not; returns how many. */
  async function repairView(kind: AvroKind, topic: string): Promise<number> {
    const filled = FILLED_VIEWS[kind];
    if (!filled) return 0;
    const table = TABLES[kind];
    const runs = `SELECT run_id FROM ${table} WHERE kafka_topic = ${quoteString(topic)} GROUP BY run_id`;
    const [counts] = await rows<{ table: string; view: string }>(
      `SELECT toString((SELECT count() FROM ${table} WHERE kafka_topic = ${quoteString(topic)})) AS table,
        toString((SELECT uniqExact(${filled.key}) FROM ${filled.view} WHERE run_id IN (${runs}))) AS view`,
    );
    const missing = Number(counts?.table ?? 0) - Number(counts?.view ?? 0);
    if (missing <= 0) return 0;
    await client.command({
      query: `INSERT INTO ${filled.view} (${filled.columns})
        SELECT ${filled.columns} FROM ${table}
        WHERE kafka_topic = ${quoteString(topic)}
          AND ${filled.key} NOT IN (SELECT ${filled.key} FROM ${filled.view} WHERE run_id IN (${runs}))`,
    });
    log.warn({ topic, view: filled.view, missing }, 'view repaired: rows its table held and it had lost');
    return missing;
  }

  async function insert(
    table: string,
    columns: readonly string[],
    format: string,
    body: Readable,
  ): Promise<void> {
    try {
      const { stream } = await client.exec({
        query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT ${format}`,
        values: body,
      });
      // The answer to an INSERT is empty; reading it to the end frees the socket for the next one.
      stream.resume();
      await new Promise<void>((resolve, reject) => stream.once('end', resolve).once('error', reject));
    } catch (error) {
      throw classifyInsertError(error, table);
    }
  }

  async function insertRows(kind: AvroKind, records: readonly SinkRecord[]): Promise<void> {
    const encoder = encoderOf(kind);
    const slices = coalesce(records);
    await insert(
      TABLES[kind],
      encoder.table.columns,
      'RowBinary',
      Readable.from(slices, { objectMode: false }),
    );
  }

  async function insertDeadLetters(records: readonly SinkRecord[]): Promise<void> {
    const text = records.map((record) => deadLetterWriter.line(record)).join('');
    await insert(
      TABLES.deadLetters,
      deadLetterWriter.columns,
      'TabSeparated',
      Readable.from([text], { objectMode: false }),
    );
  }

  return {
    name: 'clickhouse',
    kinds: [...new Set(options.routes.values())],
    get version() {
      return version;
    },
    start,
    async positions(topic) {
      const kind = options.routes.get(topic);
      if (kind === undefined) throw new TypeError(`clickhouse sink does not land topic ${topic}`);
      const where = `WHERE kafka_topic = ${quoteString(topic)}`;
      const sources = [`SELECT kafka_partition, kafka_offset FROM ${TABLES.deadLetters} ${where}`];
      if (kind !== 'deadLetters')
        sources.push(`SELECT kafka_partition, kafka_offset FROM ${TABLES[kind]} ${where}`);
      try {
        if (kind !== 'deadLetters') await repairView(kind, topic);
        const found = await rows<{ partition: number; next: string }>(
          `SELECT kafka_partition AS partition, toString(max(kafka_offset) + 1) AS next
           FROM (${sources.join(' UNION ALL ')}) GROUP BY kafka_partition`,
        );
        return new Map(found.map((r) => [Number(r.partition), Number(r.next)]));
      } catch (cause) {
        throw unavailable(`cannot read positions of ${topic}`, cause);
      }
    },
    encode(kind, value, topic, partition, offset) {
      const encoder = encoderOf(kind);
      encoder.rows.begin();
      encoder.table.encode(encoder.rows, value, topic, partition, offset);
      return encoder.rows.end();
    },
    transcode(kind, schemaId, schema, message, topic, partition, offset) {
      const encoder = encoderOf(kind);
      let transcode = encoder.transcoders.get(schemaId);
      if (transcode === undefined) {
        transcode = encoder.table.transcoder(schema) ?? null;
        encoder.transcoders.set(schemaId, transcode);
      }
      if (transcode === null) return undefined;
      encoder.rows.begin();
      transcode(encoder.rows, message, reader, topic, partition, offset);
      return encoder.rows.end();
    },
    async write(records) {
      // Within a topic, rows go in runs of one table, in offset order: a dead letter between data
      // rows must not let the table's max offset pass it before it has landed.
      const runs: { kind: RecordKind; records: SinkRecord[] }[] = [];
      const lastRunOf = new Map<string, (typeof runs)[number]>();
      for (const record of records) {
        let run = lastRunOf.get(record.topic);
        if (!run || run.kind !== record.kind) {
          run = { kind: record.kind, records: [] };
          runs.push(run);
          lastRunOf.set(record.topic, run);
        }
        run.records.push(record);
      }
      for (const run of runs) {
        if (run.kind === 'deadLetters') await insertDeadLetters(run.records);
        else await insertRows(run.kind, run.records);
      }
    },
    async close() {
      await client.close();
    },
  };
}
