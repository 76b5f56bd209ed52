/**
 * What a sink lands: each kind of record, the Avro schema it is written under and its table. One
 * topic feeds one kind; the topic names come from configuration.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../core/paths.ts';
import type { AvroSchema } from '../core/registry/codec.ts';
import { type Column, columnsOf } from './columns.ts';

export const RECORD_KINDS = [
  'customers',
  'merchants',
  'transactions',
  'labels',
  'features',
  'labeled',
  'deadLetters',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];
/** Kinds whose records are Avro under a registered schema (dead letters are raw bytes + headers). */
export type AvroKind = Exclude<RecordKind, 'deadLetters'>;

const SCHEMA_FILES: Record<AvroKind, string> = {
  customers: 'customer.avsc',
  merchants: 'merchant.avsc',
  transactions: 'transaction.avsc',
  labels: 'fraud-label.avsc',
  features: 'transaction-features.avsc',
  labeled: 'transaction-labeled.avsc',
};

/** The table of each kind, the same name in ClickHouse and Postgres. */
export const TABLES: Record<RecordKind, string> = {
  customers: 'customers',
  merchants: 'merchants',
  transactions: 'transactions',
  labels: 'fraud_labels',
  features: 'transaction_features',
  labeled: 'transactions_labeled',
  deadLetters: 'dead_letters',
};

export function schemaOf(kind: AvroKind): AvroSchema {
  return JSON.parse(
    readFileSync(path.join(projectRoot(), 'schemas', SCHEMA_FILES[kind]), 'utf8'),
  ) as AvroSchema;
}

const columnCache = new Map<AvroKind, Column[]>();

export function columnsOfKind(kind: AvroKind): Column[] {
  let columns = columnCache.get(kind);
  if (!columns) {
    columns = columnsOf(schemaOf(kind));
    columnCache.set(kind, columns);
  }
  return columns;
}
