/**
 * What the stages accept from their input topics: the decoded Avro records are checked for the
 * fields the features use, so a record under a wrong schema id is a dead letter, not a crash.
 */

import { InvalidRecordError } from '../engine/task.ts';
import type { TxFacts } from '../features/types.ts';

type Fields = Record<string, unknown>;

function asObject(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null) throw new InvalidRecordError(`${what}: not a record`);
  return value as Fields;
}

function field<T extends 'string' | 'number' | 'boolean'>(
  record: Fields,
  name: string,
  type: T,
  what: string,
): T extends 'string' ? string : T extends 'number' ? number : boolean {
  const value = record[name];
  if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
    throw new InvalidRecordError(`${what}: field ${name} must be a ${type}, got ${JSON.stringify(value)}`);
  }
  return value as never;
}

/** A field added to its schema later: absent in records written before, its default then. */
function fieldOr<T extends 'string' | 'number' | 'boolean'>(
  record: Fields,
  name: string,
  type: T,
  what: string,
  fallback: T extends 'string' ? string : T extends 'number' ? number : boolean,
): T extends 'string' ? string : T extends 'number' ? number : boolean {
  return record[name] === undefined ? fallback : field(record, name, type, what);
}

function optionalNumber(record: Fields, name: string): number | null {
  const value = record[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Avro decodes timestamp-millis as Date; the producers' records carry numbers. */
function millis(record: Fields, name: string, what: string): number {
  const value = record[name];
  if (value instanceof Date) return value.getTime();
  return field(record, name, 'number', what);
}

/**
 * The fields each input's facts read: the input is decoded with only these (core/registry/
 * projection.ts). A test checks that facts from a record decoded so equal those from the whole.
 */
export const TRANSACTION_FIELDS: readonly string[] = [
  'transactionId',
  'customerId',
  'merchantId',
  'terminalId',
  'runId',
  'eventTime',
  'amountMinor',
  'currency',
  'channel',
  'merchantCategory',
  'localHour',
  'merchantLatitude',
  'merchantLongitude',
  'terminalLatitude',
  'terminalLongitude',
];
export const LABEL_FIELDS: readonly string[] = [
  'labelId',
  'transactionId',
  'customerId',
  'merchantId',
  'isFraud',
  'scenario',
  'reportChannel',
  'transactionTime',
  'reportedAt',
  'labelStatus',
  'labelVersion',
  'labelFinal',
];
export const CUSTOMER_FIELDS: readonly string[] = [
  'customerId',
  'homeLatitude',
  'homeLongitude',
  'updatedAt',
];

export function transactionFacts(value: unknown): TxFacts {
  const what = 'transaction';
  const record = asObject(value, what);
  const merchantLatitude = field(record, 'merchantLatitude', 'number', what);
  const merchantLongitude = field(record, 'merchantLongitude', 'number', what);
  return {
    transactionId: field(record, 'transactionId', 'string', what),
    customerId: field(record, 'customerId', 'string', what),
    merchantId: field(record, 'merchantId', 'string', what),
    terminalId: field(record, 'terminalId', 'string', what),
    runId: field(record, 'runId', 'string', what),
    eventTime: millis(record, 'eventTime', what),
    amountMinor: field(record, 'amountMinor', 'number', what),
    currency: field(record, 'currency', 'string', what),
    channel: field(record, 'channel', 'string', what),
    merchantCategory: field(record, 'merchantCategory', 'string', what),
    localHour: field(record, 'localHour', 'number', what),
    latitude: optionalNumber(record, 'terminalLatitude') ?? merchantLatitude,
    longitude: optionalNumber(record, 'terminalLongitude') ?? merchantLongitude,
  };
}

export interface LabelFacts {
  labelId: string;
  transactionId: string;
  customerId: string;
  merchantId: string;
  isFraud: boolean;
  scenario: string;
  reportChannel: string;
  transactionTime: number;
  reportedAt: number;
  labelStatus: string;
  labelVersion: number;
  labelFinal: boolean;
}

/** The label schema's defaults of the fields added with corrections: what older labels read as. */
export const LABEL_VERSION_DEFAULTS = { labelStatus: 'REPORTED', labelVersion: 1, labelFinal: true } as const;

export function labelFacts(value: unknown): LabelFacts {
  const what = 'fraud label';
  const record = asObject(value, what);
  return {
    labelId: field(record, 'labelId', 'string', what),
    transactionId: field(record, 'transactionId', 'string', what),
    customerId: field(record, 'customerId', 'string', what),
    merchantId: field(record, 'merchantId', 'string', what),
    isFraud: field(record, 'isFraud', 'boolean', what),
    scenario: field(record, 'scenario', 'string', what),
    reportChannel: field(record, 'reportChannel', 'string', what),
    transactionTime: millis(record, 'transactionTime', what),
    reportedAt: millis(record, 'reportedAt', what),
    labelStatus: fieldOr(record, 'labelStatus', 'string', what, LABEL_VERSION_DEFAULTS.labelStatus),
    labelVersion: fieldOr(record, 'labelVersion', 'number', what, LABEL_VERSION_DEFAULTS.labelVersion),
    labelFinal: fieldOr(record, 'labelFinal', 'boolean', what, LABEL_VERSION_DEFAULTS.labelFinal),
  };
}

export interface CustomerFacts {
  customerId: string;
  homeLatitude: number;
  homeLongitude: number;
  updatedAt: number;
}

export function customerFacts(value: unknown): CustomerFacts {
  const what = 'customer';
  const record = asObject(value, what);
  return {
    customerId: field(record, 'customerId', 'string', what),
    homeLatitude: field(record, 'homeLatitude', 'number', what),
    homeLongitude: field(record, 'homeLongitude', 'number', what),
    updatedAt: millis(record, 'updatedAt', what),
  };
}
