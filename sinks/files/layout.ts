/**
 * Where the files sink puts things, for the readers a lake has (Spark, DuckDB, ClickHouse's
 * `file()`, pandas): Hive-style folders per topic and hour of the record's Kafka timestamp
 * (a backfill stamps records with their event time), one file per batch and partition there:
 *
 *   <dir>/<topic>/date=2026-01-31/hour=07/p<partition>-<first offset>-<last offset>.parquet
 *   <dir>/<topic>/date=…/hour=…/p<partition>-<first>-<last>.dead-letters.jsonl
 *   <dir>/<topic>/_positions/p<partition>.json     { "nextOffset": …, "records": … }
 *
 * The offsets in a file's name are what makes landing exact: a batch's files appear (each by an
 * atomic rename) before its partition's position moves past them, so after a crash every file
 * whose first offset is at or above its partition's position belongs to a batch that did not
 * commit, and is removed before anything is read again.
 */
import path from 'node:path';
import { projectRoot } from '../../core/paths.ts';
import type { FilesConnection } from './connection.ts';

export interface DataFile {
  partition: number;
  first: number;
  last: number;
}

const FILE_NAME = /^p(\d+)-(\d+)-(\d+)\.(?:parquet|jsonl|dead-letters\.jsonl)$/;

/** The lake's root folder: `dir` of the connection, relative to the project root unless absolute. */
export function lakeRoot(connection: Readonly<FilesConnection>): string {
  return path.resolve(projectRoot(), connection.dir);
}

export function topicDir(root: string, topic: string): string {
  return path.join(root, topic);
}

export function positionFile(root: string, topic: string, partition: number): string {
  return path.join(root, topic, '_positions', `p${partition}.json`);
}

/** The folder of the hour `timestampMs` falls in (UTC). */
export function hourDir(root: string, topic: string, timestampMs: number): string {
  const iso = new Date(timestampMs).toISOString();
  return path.join(root, topic, `date=${iso.slice(0, 10)}`, `hour=${iso.slice(11, 13)}`);
}

export function dataFileName(file: DataFile, extension: string): string {
  return `p${file.partition}-${file.first}-${file.last}.${extension}`;
}

/** The partition and offsets a file's name says it holds; undefined for anything else. */
export function parseDataFileName(name: string): DataFile | undefined {
  const match = FILE_NAME.exec(name);
  if (!match) return undefined;
  return { partition: Number(match[1]), first: Number(match[2]), last: Number(match[3]) };
}
