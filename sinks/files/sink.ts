/**
 * The files sink: every topic of a run as Parquet (or JSON lines) files per topic and hour, for
 * data-lake users, exactly once like the databases — positions kept beside the files (layout.ts
 * says how a crash at any moment leaves nothing twice and nothing lost).
 *
 * A batch lands partition by partition: its files are written under temporary names, synced and
 * renamed into place, then the partition's position file is replaced (written, synced, renamed).
 * Reading a topic's positions first removes what a batch that did not commit left behind.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { SynfinError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Column } from '../columns.ts';
import type { Sink, SinkRecord } from '../engine/sink.ts';
import type { RecordKind } from '../tables.ts';
import type { FilesConnection } from './connection.ts';
import { dataFileName, hourDir, lakeRoot, parseDataFileName, positionFile, topicDir } from './layout.ts';
import { parquetFile } from './parquet.ts';
import { EMPTY_POSITION, type Position, readPosition, readPositions, writeAtomically } from './positions.ts';
import { deadLetterLine, fileColumnsOf, rowLine } from './rows.ts';

export interface FilesSinkOptions {
  routes: ReadonlyMap<string, RecordKind>;
  logger: Logger;
}

function unavailable(what: string, cause: unknown): SynfinError {
  return new SynfinError('SINK_UNAVAILABLE', `files: cannot ${what}: ${String(cause)}`, {
    cause,
    retriable: true,
  });
}

export function filesSink(connection: FilesConnection, options: FilesSinkOptions): Sink {
  const root = lakeRoot(connection);
  const log = options.logger.child({ sink: 'files' });
  // The columns of each kind it lands, built once.
  const columns = new Map<RecordKind, readonly Column[]>();
  for (const kind of options.routes.values())
    if (kind !== 'deadLetters') columns.set(kind, fileColumnsOf(kind));
  const columnsOf = (kind: RecordKind) => {
    const known = columns.get(kind);
    if (!known) throw new TypeError(`files sink does not land ${kind}`);
    return known;
  };

  /** Removes the files of batches that did not commit: those at or above their partition's position. */
  async function removeUncommitted(topic: string, positions: Map<number, Position>): Promise<void> {
    const entries = await readdir(topicDir(root, topic), { recursive: true }).catch(() => [] as string[]);
    for (const entry of entries) {
      const name = path.basename(entry);
      const file = parseDataFileName(name);
      const leftover = name.includes('.tmp-');
      if (!leftover && (!file || file.first < (positions.get(file.partition) ?? EMPTY_POSITION).nextOffset))
        continue;
      await rm(path.join(topicDir(root, topic), entry), { force: true });
      log.info({ topic, file: entry }, 'removed a file of a batch that did not commit');
    }
  }

  async function landPartition(topic: string, partition: number, records: readonly SinkRecord[]) {
    const position = await readPosition(root, topic, partition);
    const fresh = records.filter((record) => record.offset >= position.nextOffset);
    if (fresh.length === 0) return;
    // One file per hour and kind of content, each named by the offsets it holds.
    const files = new Map<
      string,
      { dir: string; extension: string; kind: RecordKind; records: SinkRecord[] }
    >();
    for (const record of fresh) {
      const dir = hourDir(root, topic, record.timestampMs);
      const dead = record.row === null;
      const extension = dead ? 'dead-letters.jsonl' : connection.format;
      const key = `${dir}|${extension}`;
      let file = files.get(key);
      if (!file) {
        file = { dir, extension, kind: record.kind, records: [] };
        files.set(key, file);
      }
      file.records.push(record);
    }
    for (const { dir, extension, kind, records: held } of files.values()) {
      const first = (held[0] as SinkRecord).offset;
      const last = (held.at(-1) as SinkRecord).offset;
      const name = path.join(dir, dataFileName({ partition, first, last }, extension));
      const lines = held.map((record) => {
        if (record.row !== null) return record.row.toString('utf8');
        if (!record.deadLetter)
          throw new TypeError(`files: a record without a row or a dead letter (${topic})`);
        return deadLetterLine(record.deadLetter, topic, partition, record.offset);
      });
      await writeAtomically(
        name,
        extension === 'parquet' ? parquetFile(columnsOf(kind), lines) : lines.join(''),
      );
    }
    const next: Position = {
      nextOffset: (fresh.at(-1) as SinkRecord).offset + 1,
      records: position.records + fresh.length,
    };
    await writeAtomically(positionFile(root, topic, partition), JSON.stringify(next));
  }

  return {
    name: 'files',
    kinds: [...new Set(options.routes.values())],
    async start() {
      try {
        await mkdir(root, { recursive: true });
      } catch (cause) {
        throw unavailable(`create ${root}`, cause);
      }
      log.info({ dir: root, format: connection.format }, 'files ready');
    },
    async positions(topic) {
      try {
        const positions = await readPositions(root, topic);
        await removeUncommitted(topic, positions);
        return new Map([...positions].map(([partition, position]) => [partition, position.nextOffset]));
      } catch (cause) {
        throw unavailable(`read the positions of ${topic}`, cause);
      }
    },
    encode(kind, value, topic, partition, offset) {
      return Buffer.from(rowLine(columnsOf(kind), value, topic, partition, offset));
    },
    async write(records) {
      // Records of a partition arrive in offset order; each partition lands on its own.
      const partitions = new Map<string, { topic: string; partition: number; records: SinkRecord[] }>();
      for (const record of records) {
        const key = `${record.topic}|${record.partition}`;
        let held = partitions.get(key);
        if (!held) {
          held = { topic: record.topic, partition: record.partition, records: [] };
          partitions.set(key, held);
        }
        held.records.push(record);
      }
      try {
        for (const { topic, partition, records: held } of partitions.values())
          await landPartition(topic, partition, held);
      } catch (cause) {
        // A bug is not an outage: it is not retried.
        if (cause instanceof TypeError) throw cause;
        throw unavailable('write a batch', cause);
      }
    },
    async close() {},
  };
}
