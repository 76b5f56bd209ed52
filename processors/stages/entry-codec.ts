/**
 * A purchase's changelog value in the customer stage: binary (Avro, through avsc's compiled
 * writers) behind a one-byte layout tag. It is the stage's largest output — every purchase is
 * written when it arrives and again once emitted, then with its encoded features record for the
 * label join — so JSON cost a JSON.stringify of the features maps and a base64 of the features
 * record per write, and ~40% more bytes to compress and send. Changelogs written as JSON by
 * earlier versions are still read (their first byte is `{`).
 */
import avro from 'avsc';
import { ByteReader, ByteWriter } from '../engine/bytes.ts';
import { InvalidRecordError } from '../engine/task.ts';
import { customerFeatureSpecs, merchantFeatureSpecs } from '../features/catalog.ts';
import type { FeatureSpec, FeatureValue, TxFacts } from '../features/types.ts';
import { LABEL_VERSION_DEFAULTS, type LabelFacts } from './inputs.ts';

/** A stored purchase as the changelog carries it; optional parts are null when absent. */
export interface SerializedEntry {
  i: string;
  t: number;
  a: number;
  m: string;
  /** The terminal ('' in entries written before it was kept). */
  tm: string;
  la: number;
  lo: number;
  e: boolean;
  l: boolean;
  f: TxFacts | null;
  cf: Record<string, FeatureValue> | null;
  mf: Record<string, number> | null;
  lb: StoredLabel | null;
  /** Labels held after `lb` (blocks since corrections; [] in older layouts). */
  ml: LabelFacts[];
  x: Buffer | null;
  /** Where the features record is in the features topic's partition (-1: unknown, or `x` holds it). */
  xo: number;
}

/** A held label; stored before corrections existed, it lacks their fields (the schema's defaults apply). */
export type StoredLabel = Omit<LabelFacts, 'labelStatus' | 'labelVersion' | 'labelFinal'> &
  Partial<Pick<LabelFacts, 'labelStatus' | 'labelVersion' | 'labelFinal'>>;

/** A held label as the task uses it: one stored before corrections read with the schema's defaults. */
export function withLabelDefaults(label: StoredLabel): LabelFacts {
  return {
    ...label,
    labelStatus: label.labelStatus ?? LABEL_VERSION_DEFAULTS.labelStatus,
    labelVersion: label.labelVersion ?? LABEL_VERSION_DEFAULTS.labelVersion,
    labelFinal: label.labelFinal ?? LABEL_VERSION_DEFAULTS.labelFinal,
  };
}

/** avsc's reader of values written with another schema (its class is not exported by name). */
type Resolver = ReturnType<avro.Type['createResolver']>;

/** The layout tags of this encoding: never the first byte of JSON text. V2 adds the terminal. */
const BINARY_V1 = 1;
const BINARY_V2 = 2;

const nullable = (type: avro.Schema) => ({ type: ['null', type] as avro.Schema, default: null });

/** A held label; `withLabelVersions` adds the fields that came with corrections. */
function labelRecord(withLabelVersions: boolean): avro.Schema {
  return {
    type: 'record',
    name: 'LabelFacts',
    fields: [
      { name: 'labelId', type: 'string' },
      { name: 'transactionId', type: 'string' },
      { name: 'customerId', type: 'string' },
      { name: 'merchantId', type: 'string' },
      { name: 'isFraud', type: 'boolean' },
      { name: 'scenario', type: 'string' },
      { name: 'reportChannel', type: 'string' },
      { name: 'transactionTime', type: 'double' },
      { name: 'reportedAt', type: 'double' },
      // Added with corrections, in blocks only (their schema is stored; layouts V1/V2 are not).
      ...(withLabelVersions
        ? [
            { name: 'labelStatus', type: 'string', default: LABEL_VERSION_DEFAULTS.labelStatus },
            { name: 'labelVersion', type: 'double', default: LABEL_VERSION_DEFAULTS.labelVersion },
            { name: 'labelFinal', type: 'boolean', default: LABEL_VERSION_DEFAULTS.labelFinal },
          ]
        : []),
    ],
  } as avro.Schema;
}

/** The fields of a stored purchase; `withTerminal` is layout V2, `withLabelVersions` blocks since corrections. */
function entrySchema(withTerminal: boolean, withLabelVersions = false): avro.Schema {
  return {
    type: 'record',
    name: 'StoredPurchase',
    fields: [
      { name: 'i', type: 'string' },
      { name: 't', type: 'double' },
      { name: 'a', type: 'double' },
      { name: 'm', type: 'string' },
      ...(withTerminal ? [{ name: 'tm', type: 'string' }] : []),
      { name: 'la', type: 'double' },
      { name: 'lo', type: 'double' },
      { name: 'e', type: 'boolean' },
      { name: 'l', type: 'boolean' },
      {
        name: 'f',
        ...nullable({
          type: 'record',
          name: 'TxFacts',
          fields: [
            { name: 'transactionId', type: 'string' },
            { name: 'customerId', type: 'string' },
            { name: 'merchantId', type: 'string' },
            { name: 'terminalId', type: 'string' },
            { name: 'runId', type: 'string' },
            { name: 'eventTime', type: 'double' },
            { name: 'amountMinor', type: 'double' },
            { name: 'currency', type: 'string' },
            { name: 'channel', type: 'string' },
            { name: 'merchantCategory', type: 'string' },
            { name: 'localHour', type: 'double' },
            { name: 'latitude', type: 'double' },
            { name: 'longitude', type: 'double' },
          ],
        }),
      },
      {
        name: 'cf',
        // Unwrapped: a feature is null, a boolean, a number, a string or a list of strings.
        ...nullable({
          type: 'map',
          values: ['null', 'boolean', 'double', 'string', { type: 'array', items: 'string' }],
        }),
      },
      { name: 'mf', ...nullable({ type: 'map', values: 'double' }) },
      { name: 'lb', ...nullable(labelRecord(withLabelVersions)) },
      { name: 'x', ...nullable('bytes') },
    ],
  } as avro.Schema;
}

const entryType = avro.Type.forSchema(entrySchema(true), { wrapUnions: false });
const entryTypeV1 = avro.Type.forSchema(entrySchema(false), { wrapUnions: false });

/** Encoded into first, then copied out once at its size: one allocation per value. */
let scratch = Buffer.allocUnsafe(64 * 1024);

export function encodeEntry(entry: SerializedEntry): Buffer {
  scratch[0] = BINARY_V2;
  let end = entryType.encode(entry, scratch, 1);
  if (end < 0) {
    // A negative end says how many bytes were missing.
    scratch = Buffer.allocUnsafe(2 * (scratch.length - end));
    scratch[0] = BINARY_V2;
    end = entryType.encode(entry, scratch, 1);
  }
  return Buffer.from(scratch.subarray(0, end));
}

/**
 * The purchases one commit changed, as one changelog value (`b|<seq>`): a tag byte, the fingerprint
 * of the purchase schema the block was written with, then per purchase its customer id and the
 * stored purchase. A purchase written again later supersedes its earlier copy; a block is deleted
 * once none of its copies is current. One record per commit replaced one per purchase change (two
 * per purchase at least): most of the records the stages produced, each with a key string built
 * for it.
 *
 * In a block, the customer and merchant features are Avro records with a field per catalog feature
 * rather than maps (no feature name written per purchase: the maps were half of the encoding's
 * time). The schema is stored once in the changelog under `e|<fingerprint>`, so a block written by
 * a version with another catalog is read by Avro's schema resolution (new features take their
 * defaults).
 */
const BLOCK_V1 = 3;
/** A block is cut at this size: far below Kafka's 1 MiB record limit. */
const BLOCK_BYTES = 256 * 1024;
const FINGERPRINT_BYTES = 8;

function featureRecord(name: string, specs: readonly FeatureSpec[]): avro.Schema {
  return {
    type: 'record',
    name,
    fields: specs.map((spec) => {
      // Every number as a double: a JS number comes back exactly as it went in.
      const type = spec.type === 'boolean' ? 'boolean' : 'double';
      if (spec.nullable) return { name: spec.name, type: ['null', type], default: null };
      return spec.since ? { name: spec.name, type, default: spec.since.default } : { name: spec.name, type };
    }),
  } as avro.Schema;
}

/** The stored purchase of a block: layout V2's fields, with the features as records. */
export function blockEntrySchema(): avro.Schema {
  const base = entrySchema(true, true) as { fields: { name: string }[] };
  const records: Record<string, avro.Schema> = {
    cf: featureRecord('CustomerFeatures', customerFeatureSpecs),
    mf: featureRecord('MerchantFeatures', merchantFeatureSpecs),
  };
  return {
    ...base,
    fields: [
      ...base.fields.map((field) => {
        const record = records[field.name];
        return record ? { name: field.name, ...nullable(record) } : field;
      }),
      { name: 'xo', type: 'double', default: -1 },
      // Named apart from lb's record: a schema defines each name once.
      { name: 'ml', type: { type: 'array', items: 'LabelFacts' }, default: [] },
    ],
  } as avro.Schema;
}

const blockEntryType = avro.Type.forSchema(blockEntrySchema(), { wrapUnions: false });
const blockFingerprint = blockEntryType.fingerprint('md5').subarray(0, FINGERPRINT_BYTES);

/** The changelog record that keeps the schema this version writes its blocks with. */
export function blockSchemaRecord(): { key: string; value: string } {
  return { key: `e|${blockFingerprint.toString('hex')}`, value: JSON.stringify(blockEntrySchema()) };
}

export class EntryBlockWriter {
  private readonly writer = new ByteWriter();
  private readonly full: Buffer[] = [];

  /** Adds a purchase; true when it went into a new block (the blocks are numbered by the caller). */
  add(customerId: string, entry: SerializedEntry): boolean {
    const fresh = this.writer.length === 0;
    if (fresh) {
      this.writer.u8(BLOCK_V1);
      this.writer.bytes(blockFingerprint);
    }
    this.writer.string(customerId);
    this.writer.avro(blockEntryType, entry);
    if (this.writer.length >= BLOCK_BYTES) this.full.push(this.writer.take());
    return fresh;
  }

  /** Every block since the last call, in order. */
  take(): Buffer[] {
    if (this.writer.length > 0) this.full.push(this.writer.take());
    return this.full.splice(0);
  }
}

export function isEntryBlock(value: Buffer | string): value is Buffer {
  return typeof value !== 'string' && value[0] === BLOCK_V1;
}

/** Reads the blocks of one changelog, given the schemas it holds (`e|<fingerprint>` → JSON). */
export class EntryBlockReader {
  private readonly resolvers = new Map<string, Resolver | null>();
  private readonly schemas: ReadonlyMap<string, string>;

  constructor(schemas: ReadonlyMap<string, string>) {
    this.schemas = schemas;
    this.resolvers.set(blockFingerprint.toString('hex'), null);
  }

  /** How the purchases of a block written with this fingerprint are read: null for as they are. */
  private resolverFor(fingerprint: string): Resolver | null {
    const known = this.resolvers.get(fingerprint);
    if (known !== undefined) return known;
    const schema = this.schemas.get(`e|${fingerprint}`);
    if (schema === undefined)
      throw new InvalidRecordError(`purchase block: no schema ${fingerprint} in the changelog`);
    const resolver = blockEntryType.createResolver(
      avro.Type.forSchema(JSON.parse(schema) as avro.Schema, { wrapUnions: false }),
    );
    this.resolvers.set(fingerprint, resolver);
    return resolver;
  }

  /** Calls `apply` for every purchase of a block, in order. */
  read(value: Buffer, apply: (customerId: string, entry: SerializedEntry) => void): void {
    const reader = new ByteReader(value, 'purchase block', 1);
    const resolver = this.resolverFor(reader.bytes(FINGERPRINT_BYTES).toString('hex'));
    while (!reader.done) {
      const customerId = reader.string();
      const entry = reader.avro(blockEntryType, resolver ?? undefined) as SerializedEntry;
      // See decodeEntry: the features record is copied out of the fetched batch.
      if (entry.x) entry.x = Buffer.from(entry.x);
      apply(customerId, entry);
    }
  }
}

/** The JSON layout of earlier versions: the same fields, optional ones absent, `x` in base64. */
type JsonEntry = Omit<SerializedEntry, 'tm' | 'f' | 'cf' | 'mf' | 'lb' | 'ml' | 'x' | 'xo'> &
  Partial<Pick<SerializedEntry, 'tm' | 'f' | 'cf' | 'mf' | 'lb'>> & { x?: string };

export function decodeEntry(value: Buffer | string): SerializedEntry {
  if (typeof value !== 'string' && (value[0] === BINARY_V2 || value[0] === BINARY_V1)) {
    const entry =
      value[0] === BINARY_V2
        ? (entryType.fromBuffer(value.subarray(1)) as SerializedEntry)
        : ({
            ...(entryTypeV1.fromBuffer(value.subarray(1)) as Omit<SerializedEntry, 'tm'>),
            tm: '',
          } as SerializedEntry);
    // avsc's bytes are a view of the value, and the value one of the whole fetched batch: a copy
    // keeps only the features record alive, for as long as the purchase waits for its label.
    if (entry.x) entry.x = Buffer.from(entry.x);
    entry.xo = -1;
    entry.ml = [];
    return entry;
  }
  return fromJson(JSON.parse(value.toString()) as JsonEntry);
}

export function fromJson(json: JsonEntry): SerializedEntry {
  return {
    ...json,
    tm: json.tm ?? '',
    f: json.f ?? null,
    cf: json.cf ?? null,
    mf: json.mf ?? null,
    lb: json.lb ?? null,
    ml: [],
    x: json.x ? Buffer.from(json.x, 'base64') : null,
    xo: -1,
  };
}
