/**
 * What every feature family shares: the facts of a transaction the processors keep, the value
 * types a feature may have, and the catalog entry that documents a feature and types it in Avro.
 */

/** The part of a transaction the processors need, carried between stages. */
export interface TxFacts {
  transactionId: string;
  customerId: string;
  merchantId: string;
  terminalId: string;
  runId: string;
  eventTime: number;
  amountMinor: number;
  currency: string;
  channel: string;
  merchantCategory: string;
  localHour: number;
  /** Where the purchase happened: the terminal if it reported a position, else the merchant. */
  latitude: number;
  longitude: number;
}

export type FeatureValue = number | boolean | string | null | readonly string[];

export type FeatureType = 'int' | 'double' | 'boolean' | 'string' | 'string[]';

export interface FeatureSpec {
  name: string;
  type: FeatureType;
  /** Null where the feature is undefined (no previous transaction, no known home…). */
  nullable?: boolean;
  definition: string;
  /** The event-time window, in words ("1 day", "30 days, 7 days behind"); empty for point features. */
  window: string;
  /**
   * The Avro default of a feature added after the first release, so that the features schema
   * stays BACKWARD compatible with the one already in a registry (a reader fills it in old records).
   */
  since?: { default: number | boolean | string };
}

/** A feature family: what it adds to a record, documented once, computed by one function. */
export interface FeatureFamily<Context> {
  name: string;
  features: readonly FeatureSpec[];
  /**
   * Sets its features in `into`, the record's one object of features (shaped once by the stage):
   * an object per family per purchase, copied into the record's, was most of the stages' garbage.
   */
  compute(context: Context, into: Record<string, FeatureValue>): void;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** The customer and merchant windows of the fraud handbook. */
export const WINDOW_DAYS = [1, 7, 30] as const;
