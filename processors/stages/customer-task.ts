/**
 * The customer stage's task for one partition (transactions, labels and customers are all keyed by
 * customer and co-partitioned). In event-time order it keeps each customer's purchases, computes
 * the customer features, sends purchases and labels on to the merchant stage, and when a
 * purchase's merchant features come back emits the full record — in event-time order per
 * partition — and later joins it with its fraud label.
 */

import type { OutputCodec } from '../avro.ts';
import type { ProcessorConfig } from '../config.ts';
import { DirtyKeys } from '../engine/dirty-keys.ts';
import { compareTimed, EventTimeMerge, type EventTimeState, type TimedItem } from '../engine/event-time.ts';
import { InputProgress, type ProgressState } from '../engine/input-progress.ts';
import {
  type ChangelogRecord,
  deadLetter,
  type InputRecord,
  type OutputRecord,
  type RecordLookup,
  type StageTask,
  type TaskOutput,
} from '../engine/task.ts';
import {
  customerFamilies,
  customerFeatureSpecs,
  featureFields,
  identityFields,
} from '../features/catalog.ts';
import { type CustomerEntry, type Home, insertSorted } from '../features/customer-history.ts';
import { scoreRules } from '../features/rules.ts';
import { DAY_MS, type FeatureValue, type TxFacts } from '../features/types.ts';
import {
  blockSchemaRecord,
  decodeEntry,
  EntryBlockReader,
  EntryBlockWriter,
  fromJson,
  isEntryBlock,
  type SerializedEntry,
  withLabelDefaults,
} from './entry-codec.ts';
import {
  type CustomerFacts,
  customerFacts,
  type LabelFacts,
  labelFacts,
  transactionFacts,
} from './inputs.ts';
import {
  MERCHANT_FEATURE_NAMES,
  MerchantInputBlocks,
  parseMerchantFeatures,
  partitionFor,
} from './messages.ts';

export interface CustomerTaskOptions {
  partition: number;
  /** Partitions of the input topics (and of the merchant features topic). */
  partitions: number;
  /** Partitions of the merchant stage's input topic. */
  merchantPartitions: number;
  config: Pick<
    ProcessorConfig,
    'topics' | 'latenessMs' | 'idleMs' | 'joinHorizonDays' | 'labelJoin' | 'rules'
  >;
  internal: { merchantInput: string; merchantFeatures: string; deadLetters: string };
  codecs: { features: OutputCodec; labeled: OutputCodec };
  /** Counts for the metrics; optional. */
  onCount?: (what: CustomerTaskCount, n?: number) => void;
}

export type CustomerTaskCount =
  | 'late'
  | 'dead_letter'
  | 'label_joined'
  | 'label_unmatched'
  | 'features_emitted';

/**
 * Where a purchase was made: its merchant, terminal and coordinates, one object shared by every
 * purchase at the same terminal and place (a fraud label names only the merchant, the terminal
 * windows need the terminal).
 */
interface Venue {
  readonly merchantId: string;
  readonly terminalId: string;
  readonly lat: number;
  readonly lon: number;
}

/** Venues kept per merchant at most: a merchant whose purchases are everywhere gets no more. */
const VENUES_PER_MERCHANT = 64;
/** Digits of an id's numeric suffix kept as a number (below 2^30: a small integer on any V8). */
const ID_SUFFIX_DIGITS = 9;

/** A customer's state: home, purchases kept (by time, then id), and the prefix their ids share. */
class CustomerState {
  readonly customerId: string;
  home: Home | null = null;
  readonly entries: StoredEntry[] = [];
  /**
   * What the customer's purchase ids have before a decimal suffix (the generator's are
   * `<run>-<customer>-<n>`), from the first one that has a suffix; undefined until then.
   */
  idPrefix: string | undefined = undefined;

  constructor(customerId: string) {
    this.customerId = customerId;
  }

  /**
   * The id's suffix as a number when the id is this customer's prefix followed by that number
   * written canonically (so that prefix + String(n) gives the id back exactly); -1 otherwise, and
   * while no prefix is known.
   */
  idSuffix(id: string): number {
    const prefix = this.idPrefix;
    if (prefix === undefined || !id.startsWith(prefix)) return -1;
    const digits = id.length - prefix.length;
    if (digits < 1 || digits > ID_SUFFIX_DIGITS) return -1;
    if (digits > 1 && id.charCodeAt(prefix.length) === 48) return -1;
    let n = 0;
    for (let i = prefix.length; i < id.length; i++) {
      const digit = id.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return -1;
      n = n * 10 + digit;
    }
    return n;
  }

  /** `idSuffix` of one of this customer's own ids, the prefix learnt from the first that has one. */
  ownIdSuffix(id: string): number {
    this.idPrefix ??= prefixBeforeDigits(id);
    return this.idSuffix(id);
  }
}

/** The id without its trailing decimal digits; undefined if it has none (or is only digits). */
function prefixBeforeDigits(id: string): string | undefined {
  let end = id.length;
  while (end > 0 && id.charCodeAt(end - 1) >= 48 && id.charCodeAt(end - 1) <= 57) end--;
  return end > 0 && end < id.length ? id.slice(0, end) : undefined;
}

/** What a purchase holds only until it is emitted and its features record placed. */
class PendingParts {
  facts: TxFacts | undefined = undefined;
  customerFeatures: Record<string, FeatureValue> | undefined = undefined;
  merchantFeatures: Record<string, number> | undefined = undefined;
  label: LabelFacts | undefined = undefined;
  /** Labels after the first that arrived while it waited too (a correction close behind): rare. */
  laterLabels: LabelFacts[] | undefined = undefined;
  /**
   * The emitted features record (wire format), until its offset in the features topic is known;
   * after that the label join reads it back from there (`featuresAt`) instead of keeping it.
   */
  features: Buffer | undefined = undefined;
  /** The purchase's `featuresAt` while it holds these parts. */
  featuresAt = -1;

  get empty(): boolean {
    return (
      this.facts === undefined &&
      this.customerFeatures === undefined &&
      this.merchantFeatures === undefined &&
      this.label === undefined &&
      this.laterLabels === undefined &&
      this.features === undefined
    );
  }
}

const EMITTED = 1;
const LATE = 2;
/** `state` holds the flags below this and (changelog block + 1) times it. */
const FLAG_SPAN = 4;

/**
 * A purchase as the task keeps it: its window facts, and until emitted, the pieces of its record.
 * Most purchases kept are emitted and settled (30 days of them against seconds of pending ones),
 * so it is seven fields (one hidden class, every field set in the constructor): what only a
 * pending purchase needs lives in one object dropped once empty, in the field that holds the
 * features record's offset once settled; merchant, terminal and place are
 * one shared Venue; the customer is its state (which also gives the id's prefix), so an emitted
 * purchase keeps its id as the number after that prefix instead of a string (~56 B); the changelog
 * block and the flags are one number. `bench/processors/state-memory.ts` measures it.
 */
class StoredEntry implements CustomerEntry {
  /** The id, or once compacted, the number that follows its customer's id prefix. */
  private key: string | number;
  readonly t: number;
  readonly amount: number;
  readonly venue: Venue;
  readonly owner: CustomerState;
  /** Flags and changelog block: (block + 1) × FLAG_SPAN + flags (arithmetic, not bits: blocks grow). */
  private state: number;
  /** What it holds until emitted and placed (PendingParts), or once settled, `featuresAt`. */
  private held: PendingParts | number = -1;

  constructor(
    base: { id: string; t: number; amount: number },
    venue: Venue,
    owner: CustomerState,
    emitted: boolean,
    late: boolean,
    facts: TxFacts | undefined,
  ) {
    this.key = base.id;
    this.t = base.t;
    this.amount = base.amount;
    this.venue = venue;
    this.owner = owner;
    this.state = (emitted ? EMITTED : 0) | (late ? LATE : 0);
    if (facts !== undefined) this.hold().facts = facts;
  }

  get id(): string {
    const key = this.key;
    return typeof key === 'string' ? key : `${this.owner.idPrefix}${key}`;
  }
  /**
   * Whether this is the purchase `id`, given `suffix` = its customer's `idSuffix(id)` (computed
   * once per lookup, not per purchase compared; no id string built for a compacted one).
   */
  is(id: string, suffix: number): boolean {
    const key = this.key;
    return typeof key === 'string' ? key === id : key === suffix;
  }
  /** Keeps the id as the number after the customer's prefix, if it is one: called once emitted. */
  compactId(): void {
    const key = this.key;
    if (typeof key !== 'string') return;
    const suffix = this.owner.ownIdSuffix(key);
    if (suffix >= 0) this.key = suffix;
  }
  get customerId(): string {
    return this.owner.customerId;
  }
  get merchantId(): string {
    return this.venue.merchantId;
  }
  get terminalId(): string {
    return this.venue.terminalId;
  }
  get lat(): number {
    return this.venue.lat;
  }
  get lon(): number {
    return this.venue.lon;
  }
  get emitted(): boolean {
    return ((this.state % FLAG_SPAN) & EMITTED) !== 0;
  }
  set emitted(value: boolean) {
    this.setFlag(EMITTED, value);
  }
  get late(): boolean {
    return ((this.state % FLAG_SPAN) & LATE) !== 0;
  }
  set late(value: boolean) {
    this.setFlag(LATE, value);
  }
  /** The changelog block holding its current copy (-1: none yet). */
  get block(): number {
    return Math.floor(this.state / FLAG_SPAN) - 1;
  }
  set block(value: number) {
    this.state = (value + 1) * FLAG_SPAN + (this.state % FLAG_SPAN);
  }

  private setFlag(flag: number, value: boolean): void {
    const flags = this.state % FLAG_SPAN;
    this.state += (value ? flags | flag : flags & ~flag) - flags;
  }

  /** What it holds until emitted and placed; undefined once settled. */
  get pending(): PendingParts | undefined {
    const held = this.held;
    return typeof held === 'number' ? undefined : held;
  }
  /** Where the features record was written in this partition of the features topic (-1: not yet). */
  get featuresAt(): number {
    const held = this.held;
    return typeof held === 'number' ? held : held.featuresAt;
  }
  set featuresAt(offset: number) {
    if (typeof this.held === 'number') this.held = offset;
    else this.held.featuresAt = offset;
  }

  /** Its pending parts to write into (made when missing). */
  hold(): PendingParts {
    const held = this.held;
    if (typeof held !== 'number') return held;
    const pending = new PendingParts();
    pending.featuresAt = held;
    this.held = pending;
    return pending;
  }

  /** Drops the pending parts once none is held any more. */
  settle(): void {
    const held = this.held;
    if (typeof held !== 'number' && held.empty) this.held = held.featuresAt;
  }
}

type Item =
  | (TimedItem & { kind: 'customer'; offset: number; value: CustomerFacts })
  | (TimedItem & { kind: 'label'; offset: number; value: LabelFacts })
  | (TimedItem & { kind: 'tx'; offset: number; value: TxFacts });

const RANK = { customer: 0, label: 1, tx: 2 } as const;
const IDENTITY_NAMES = identityFields.map((spec) => spec.name);
const CUSTOMER_NAMES = customerFeatureSpecs.map((spec) => spec.name);
const CUSTOMER_FEATURES_SHAPE: Record<string, FeatureValue> = Object.fromEntries(
  CUSTOMER_NAMES.map((name) => [name, null]),
);
type CustomerFamily = (typeof customerFamilies)[number];
const WINDOW_MS = 30 * DAY_MS;
/** Events handed out per call at most: a backlog is worked off in slices, between heartbeats. */
const RELEASE_SLICE = 5000;

export class CustomerTask implements StageTask {
  readonly partition: number;
  private readonly options: CustomerTaskOptions;
  private readonly customers = new Map<string, CustomerState>();
  /**
   * Purchases waiting for their merchant features, by transaction id. The others are found through
   * their customer (a map entry per purchase kept for 30 days cost ~40 B each).
   */
  private readonly awaiting = new Map<string, StoredEntry>();
  /** Purchases kept. */
  private held = 0;
  private readonly ids = new Map<string, string>();
  private readonly venues = new Map<string, Venue[]>();
  private queue: StoredEntry[] = [];
  private readonly merge: EventTimeMerge<Item>;
  private readonly progress = new Map<string, InputProgress>();
  private readonly lastArrival = new Map<string, number>();
  private readonly dirty = new DirtyKeys();
  /** Purchases changed since the last commit (by identity: no key string per change). */
  private readonly dirtyEntries = new Set<StoredEntry>();
  private out: OutputRecord[] = [];
  /** The purchases whose features records are in `out`, and at which index: their offsets are learnt at commit. */
  private emitted: StoredEntry[] = [];
  private emittedAt: number[] = [];
  private placing: { entries: StoredEntry[]; at: number[] } = { entries: [], at: [] };
  /** Labels of purchases whose features record is to be read back from Kafka before the next output. */
  private pendingJoins: { entry: StoredEntry; label: LabelFacts }[] = [];
  /** What goes to the merchant stage in this commit, one block per merchant partition. */
  private readonly toMerchants = new MerchantInputBlocks();
  private lastHeartbeat = '';
  private readonly row: Record<string, FeatureValue> = Object.fromEntries(
    featureFields.map((spec) => [spec.name, null]),
  );
  private swept: SweepState = { day: Number.NEGATIVE_INFINITY, cutoff: Number.NEGATIVE_INFINITY };
  private readonly blocks = new EntryBlockWriter();
  /** Changelog blocks with current copies of purchases: block → how many. */
  private readonly blockLive = new Map<number, number>();
  private nextBlock = 0;
  /** Whether the changelog holds the schema of the blocks this version writes. */
  private schemaStored = false;
  private readonly retentionMs: number;

  constructor(options: CustomerTaskOptions) {
    this.options = options;
    this.partition = options.partition;
    const { topics } = options.config;
    this.merge = new EventTimeMerge<Item>([topics.transactions, topics.labels, topics.customers]);
    for (const topic of this.inputTopics()) this.progress.set(topic, new InputProgress());
    this.retentionMs =
      Math.max(WINDOW_MS, options.config.joinHorizonDays * DAY_MS) + options.config.latenessMs;
  }

  private inputTopics(): string[] {
    const { topics } = this.options.config;
    return [topics.transactions, topics.labels, topics.customers, this.options.internal.merchantFeatures];
  }

  private progressOf(topic: string): InputProgress {
    const progress = this.progress.get(topic);
    if (!progress) throw new Error(`customer task: ${topic} is not an input`);
    return progress;
  }

  process(records: readonly InputRecord[], nowMs: number): void {
    const { topics, latenessMs } = this.options.config;
    for (const record of records) {
      const progress = this.progressOf(record.topic);
      if (!progress.accept(record.offset)) continue;
      let item: Item;
      try {
        if (!record.decoded.ok) throw record.decoded.error;
        if (record.topic === this.options.internal.merchantFeatures) {
          this.attachMerchantFeatures(record);
          progress.done(record.offset);
          continue;
        }
        item = this.itemOf(record);
      } catch (error) {
        this.out.push(deadLetter(this.options.internal.deadLetters, record, error as Error));
        this.options.onCount?.('dead_letter');
        progress.done(record.offset);
        continue;
      }
      this.lastArrival.set(record.topic, nowMs);
      this.merge.setIdle(record.topic, false);
      const lateness = record.topic === topics.transactions ? latenessMs : 0;
      this.merge.advance(record.topic, item.t - lateness);
      if (this.merge.isLate(item)) {
        this.options.onCount?.('late');
        this.handle(item, true);
        progress.done(record.offset);
      } else {
        this.merge.push(item);
        progress.wait(record.offset);
      }
    }
    this.releaseAndEmit();
  }

  tick(nowMs: number, caughtUp: (topic: string) => boolean): void {
    const { topics, idleMs } = this.options.config;
    for (const topic of [topics.transactions, topics.labels, topics.customers]) {
      // Silence counts from the task's first tick: an input that has brought nothing yet has not
      // been silent for idleMs (idling it at once released purchases of a run whose inputs were
      // still being written before their customers' homes had been read).
      const last = this.lastArrival.get(topic);
      if (last === undefined) {
        this.lastArrival.set(topic, nowMs);
        continue;
      }
      if (!this.merge.isIdle(topic) && nowMs - last >= idleMs && caughtUp(topic))
        this.merge.setIdle(topic, true);
    }
    this.releaseAndEmit();
  }

  private itemOf(record: InputRecord): Item {
    const { topics } = this.options.config;
    const value = record.decoded.ok ? record.decoded.value : undefined;
    if (record.topic === topics.transactions) {
      const tx = transactionFacts(value);
      return {
        kind: 'tx',
        source: record.topic,
        t: tx.eventTime,
        rank: RANK.tx,
        id: tx.transactionId,
        offset: record.offset,
        value: tx,
      };
    }
    if (record.topic === topics.labels) {
      const label = labelFacts(value);
      return {
        kind: 'label',
        source: record.topic,
        t: label.reportedAt,
        rank: RANK.label,
        id: label.labelId,
        offset: record.offset,
        value: label,
      };
    }
    const customer = customerFacts(value);
    return {
      kind: 'customer',
      source: record.topic,
      t: customer.updatedAt,
      rank: RANK.customer,
      id: customer.customerId,
      offset: record.offset,
      value: customer,
    };
  }

  private releaseAndEmit(): void {
    const { topics } = this.options.config;
    const topicOf = { tx: topics.transactions, label: topics.labels, customer: topics.customers };
    for (const item of this.merge.release(RELEASE_SLICE)) {
      this.handle(item, false);
      this.progressOf(topicOf[item.kind]).done(item.offset);
    }
    this.heartbeat();
    this.sweep();
    this.drainQueue();
  }

  private handle(item: Item, late: boolean): void {
    if (item.kind === 'customer') {
      const state = this.customer(item.value.customerId);
      state.home = { lat: item.value.homeLatitude, lon: item.value.homeLongitude };
      this.dirty.mark(`h|${item.value.customerId}`);
    } else if (item.kind === 'label') {
      this.handleLabel(item.value);
    } else {
      this.handleTransaction(item.value, late);
    }
  }

  /**
   * One string per merchant and terminal id in this task (a customer's is its state's): every
   * decoded record brings its own copies, and a purchase kept for 30 days held them (~40 B each).
   */
  private intern(id: string): string {
    const known = this.ids.get(id);
    if (known !== undefined) return known;
    this.ids.set(id, id);
    return id;
  }

  /**
   * The venue of a purchase: one per merchant, terminal and place while a merchant's purchases are
   * at a few (as the generated ones are); past VENUES_PER_MERCHANT a purchase gets its own, so what
   * is kept stays bounded by the merchants whatever the input.
   */
  private venueOf(merchantId: string, terminalId: string, lat: number, lon: number): Venue {
    // The ids are interned only for a new venue: a known one already holds them.
    let known = this.venues.get(merchantId);
    if (known === undefined) {
      known = [];
      this.venues.set(this.intern(merchantId), known);
    }
    for (const venue of known)
      if (venue.terminalId === terminalId && venue.lat === lat && venue.lon === lon) return venue;
    const venue = { merchantId: this.intern(merchantId), terminalId: this.intern(terminalId), lat, lon };
    if (known.length < VENUES_PER_MERCHANT) known.push(venue);
    return venue;
  }

  private customer(customerId: string): CustomerState {
    let state = this.customers.get(customerId);
    if (!state) {
      state = new CustomerState(customerId);
      this.customers.set(customerId, state);
    }
    return state;
  }

  private handleTransaction(tx: TxFacts, late: boolean): void {
    const state = this.customer(tx.customerId);
    if (findEntry(state, tx.transactionId, tx.eventTime, true)) return;
    const entry = new StoredEntry(
      { id: tx.transactionId, t: tx.eventTime, amount: tx.amountMinor },
      this.venueOf(tx.merchantId, tx.terminalId, tx.latitude, tx.longitude),
      state,
      false,
      late,
      tx,
    );
    const index = insertSorted(state.entries, entry);
    const context = { tx, entries: state.entries, index, home: state.home };
    // One object per purchase, shaped like every other (it is kept until the merchant features are back).
    const features: Record<string, FeatureValue> = { ...CUSTOMER_FEATURES_SHAPE };
    for (let f = 0; f < customerFamilies.length; f++)
      (customerFamilies[f] as CustomerFamily).compute(context, features);
    entry.hold().customerFeatures = features;
    this.awaiting.set(tx.transactionId, entry);
    this.held++;
    this.queue.push(entry);
    this.dirtyEntries.add(entry);
    this.toMerchants.tx(
      partitionFor(tx.merchantId, this.options.merchantPartitions),
      this.partition,
      tx,
      late,
    );
  }

  private handleLabel(label: LabelFacts): void {
    const state = this.customers.get(label.customerId);
    const entry = state ? findEntry(state, label.transactionId, label.transactionTime, false) : undefined;
    this.toMerchants.label(partitionFor(label.merchantId, this.options.merchantPartitions), {
      p: this.partition,
      id: label.labelId,
      m: label.merchantId,
      // Unknown ('') for a purchase this task never saw, or restored from a changelog of an
      // earlier version: the merchant windows count the fraud, the terminal windows cannot.
      tm: entry?.terminalId ?? '',
      tt: label.transactionTime,
      r: label.reportedAt,
      fraud: label.isFraud,
    });
    if (!entry) {
      this.options.onCount?.('label_unmatched');
      return;
    }
    if (entry.emitted) this.emitLabeled(entry, label);
    else {
      const pending = entry.hold();
      if (!pending.label) pending.label = label;
      else if (pending.laterLabels) pending.laterLabels.push(label);
      else pending.laterLabels = [label];
    }
    this.dirtyEntries.add(entry);
  }

  /** A block is validated whole before any of it is used: a bad one goes to the DLQ untouched. */
  private attachMerchantFeatures(record: InputRecord): void {
    for (const message of parseMerchantFeatures(record.value)) {
      const entry = this.awaiting.get(message.id);
      if (!entry || entry.emitted) continue;
      entry.hold().merchantFeatures = message.v;
      entry.late ||= message.late;
      this.dirtyEntries.add(entry);
    }
  }

  /** Emits, in processing order, every record whose merchant features are back. */
  private drainQueue(): void {
    let emitted = 0;
    while (emitted < this.queue.length) {
      const entry = this.queue[emitted] as StoredEntry;
      if (!entry.pending?.merchantFeatures) break;
      this.emitFeatures(entry);
      emitted++;
    }
    if (emitted > 0) this.queue = this.queue.slice(emitted);
  }

  private emitFeatures(entry: StoredEntry): void {
    const pending = entry.hold();
    const tx = pending.facts as TxFacts;
    // One object reused for every record, every field set each time (undefined: the schema's
    // default): its shape never changes. Spreading ~45 fields into a new object per purchase made
    // a dictionary-mode object that the compiled Avro writer then read slowly.
    const row = this.row;
    const facts = tx as unknown as Record<string, FeatureValue>;
    // Indexed loops: an allocation profile charged iterator results (~400 B a purchase) to this
    // function, most of them from the rules' loops inlined into it; none is made here now.
    for (let i = 0; i < IDENTITY_NAMES.length; i++) {
      const name = IDENTITY_NAMES[i] as string;
      row[name] = facts[name] as FeatureValue;
    }
    const customer = pending.customerFeatures ?? {};
    for (let i = 0; i < CUSTOMER_NAMES.length; i++) {
      const name = CUSTOMER_NAMES[i] as string;
      row[name] = customer[name] as FeatureValue;
    }
    const merchant = pending.merchantFeatures ?? {};
    for (let i = 0; i < MERCHANT_FEATURE_NAMES.length; i++) {
      const name = MERCHANT_FEATURE_NAMES[i] as string;
      row[name] = merchant[name] as FeatureValue;
    }
    const { riskScore, rulesFired } = scoreRules(this.options.config.rules, row);
    row.riskScore = riskScore;
    row.rulesFired = rulesFired;
    row.late = entry.late;
    const wire = this.options.codecs.features.encode(row);
    this.emitted.push(entry);
    this.emittedAt.push(this.out.length);
    this.out.push({
      topic: this.options.config.topics.features,
      partition: this.partition,
      key: tx.customerId,
      value: wire,
    });
    this.options.onCount?.('features_emitted');
    this.awaiting.delete(entry.id);
    entry.emitted = true;
    // What built the record goes; the record stays until its offset is known.
    const { label, laterLabels } = pending;
    pending.facts = undefined;
    pending.customerFeatures = undefined;
    pending.merchantFeatures = undefined;
    pending.label = undefined;
    pending.laterLabels = undefined;
    pending.features = wire;
    if (label) {
      this.emitLabeled(entry, label);
      for (const later of laterLabels ?? []) this.emitLabeled(entry, later);
    }
    this.dirtyEntries.add(entry);
  }

  private emitLabeled(entry: StoredEntry, label: LabelFacts): void {
    const record = entry.pending?.features;
    if (record) this.join(record, entry, label);
    else if (entry.featuresAt >= 0) this.pendingJoins.push({ entry, label });
  }

  lookups(): RecordLookup[] {
    const topic = this.options.config.topics.features;
    return this.pendingJoins.map(({ entry }) => ({
      topic,
      partition: this.partition,
      offset: entry.featuresAt,
    }));
  }

  resolve(values: readonly (Buffer | null)[]): void {
    for (const [index, { entry, label }] of this.pendingJoins.entries()) {
      const value = values[index];
      // Gone only if the features topic keeps records for less than the label horizon.
      if (value) this.join(value, entry, label);
      else this.options.onCount?.('label_unmatched');
    }
    this.pendingJoins = [];
  }

  /** The labeled record: the purchase's features record (wire format) with the label's fields. */
  private join(wire: Buffer, entry: StoredEntry, label: LabelFacts): void {
    const features = this.options.codecs.features.decode(wire);
    const row = {
      ...features,
      labelId: label.labelId,
      isFraud: label.isFraud,
      scenario: label.scenario,
      reportChannel: label.reportChannel,
      reportedAt: label.reportedAt,
      labelStatus: label.labelStatus,
      labelVersion: label.labelVersion,
      labelFinal: label.labelFinal,
      labelAgeMs: label.reportedAt - entry.t,
    };
    this.out.push({
      topic: this.options.config.topics.labeled,
      partition: this.partition,
      key: entry.customerId,
      value: this.options.codecs.labeled.encode(row),
    });
    this.options.onCount?.('label_joined');
  }

  /** Tells every merchant partition how far this task has released (or that it is idle). */
  private heartbeat(): void {
    const watermark = this.merge.watermark;
    if (!Number.isFinite(watermark)) return;
    const idle = this.merge.allIdle() && this.merge.buffered === 0;
    const signature = `${watermark}|${idle}`;
    if (signature === this.lastHeartbeat) return;
    this.lastHeartbeat = signature;
    const { merchantPartitions, partitions } = this.options;
    for (let q = 0; q < merchantPartitions; q++)
      this.toMerchants.watermark(q, this.partition, partitions, watermark, idle);
  }

  /** Once per event-time day: forget purchases older than the windows and the label horizon. */
  private sweep(): void {
    const watermark = this.merge.watermark;
    if (!Number.isFinite(watermark)) return;
    const day = Math.floor(watermark / DAY_MS);
    if (day <= this.swept.day) return;
    this.swept = { day, cutoff: watermark - this.retentionMs };
    this.dirty.mark('s');
    this.dropBefore(this.swept.cutoff);
  }

  /** Per customer, the emitted purchases before `cutoff` (up to the first still to emit). */
  private dropBefore(cutoff: number): void {
    for (const state of this.customers.values()) {
      let drop = 0;
      while (drop < state.entries.length) {
        const entry = state.entries[drop] as StoredEntry;
        if (entry.t >= cutoff || !entry.emitted) break;
        this.held--;
        this.dirtyEntries.delete(entry);
        this.releaseBlock(entry.block);
        drop++;
      }
      if (drop > 0) state.entries.splice(0, drop);
    }
  }

  /** One copy fewer in a block: a block with none left is deleted from the changelog. */
  private releaseBlock(block: number): void {
    if (block < 0) return;
    const live = (this.blockLive.get(block) ?? 0) - 1;
    if (live > 0) {
      this.blockLive.set(block, live);
      return;
    }
    this.blockLive.delete(block);
    this.dirty.mark(blockKey(block));
  }

  takeOutput(): TaskOutput {
    const offsets: TaskOutput['offsets'] = [];
    for (const topic of this.inputTopics()) {
      const offset = this.progressOf(topic).commitOffset();
      if (offset >= 0) offsets.push({ topic, offset });
    }
    for (const { partition, value } of this.toMerchants.take())
      this.out.push({ topic: this.options.internal.merchantInput, partition, key: null, value });
    const records = this.out;
    this.out = [];
    this.placing = { entries: this.emitted, at: this.emittedAt };
    this.emitted = [];
    this.emittedAt = [];
    return { records, offsets };
  }

  takeChangelog(placed: readonly number[]): ChangelogRecord[] {
    // A features record's offset is known now: with `labelJoin: kafka` the purchase keeps that
    // instead of the record, and a label reads the record back.
    const { entries, at } = this.placing;
    for (const [index, entry] of entries.entries()) {
      const offset = placed[at[index] as number] ?? -1;
      if (offset < 0) continue;
      entry.featuresAt = offset;
      if (this.options.config.labelJoin === 'kafka' && entry.pending) {
        entry.pending.features = undefined;
        entry.settle();
      }
    }
    this.placing = { entries: [], at: [] };
    for (const topic of this.inputTopics()) this.dirty.mark(`p|${topic}`);
    this.dirty.mark('w');
    // Changed purchases go into this commit's blocks; the blocks their copies leave may empty.
    const first = this.nextBlock;
    let block = -1;
    for (const entry of this.dirtyEntries) {
      if (this.blocks.add(entry.customerId, serializeEntry(entry))) block = this.nextBlock++;
      this.releaseBlock(entry.block);
      entry.block = block;
      // Written, and out of the awaiting map: its id string is no longer needed often.
      if (entry.emitted) entry.compactId();
      this.blockLive.set(block, (this.blockLive.get(block) ?? 0) + 1);
    }
    this.dirtyEntries.clear();
    const changelog = this.dirty.flush((key) => this.materialize(key));
    const written = this.blocks.take();
    if (written.length > 0 && !this.schemaStored) {
      changelog.push(blockSchemaRecord());
      this.schemaStored = true;
    }
    for (const [index, value] of written.entries()) changelog.push({ key: blockKey(first + index), value });
    return changelog;
  }

  /** The value of a key marked dirty; purchases changed are written from `dirtyEntries` instead. */
  private materialize(key: string): string | undefined {
    if (key === 'w') return JSON.stringify(this.merge.state());
    if (key === 's') return JSON.stringify(this.swept);
    const [kind, id] = key.split('|') as [string, string];
    if (kind === 'p') return JSON.stringify(this.progressOf(id).compact());
    const home = kind === 'h' ? this.customers.get(id)?.home : undefined;
    // `b|<block>` is marked once it holds no current copy, `t|…` and `d|…` (the layouts of earlier
    // versions) once their purchases are in blocks: each a tombstone.
    return home ? JSON.stringify(home) : undefined;
  }

  restore(records: Iterable<ChangelogRecord>): void {
    const latest = new Map<string, ChangelogRecord['value']>();
    for (const record of records) latest.set(record.key, record.value);
    /** The current copy of each purchase in the blocks, and the block it is in. */
    const current = new Map<string, { customerId: string; stored: SerializedEntry; block: number }>();
    const blocks: [number, Buffer][] = [];
    const schemas = new Map<string, string>();
    for (const [key, value] of latest) {
      if (value === null) continue;
      const [kind, id] = key.split('|') as [string, string];
      if (kind === 'b' && isEntryBlock(value)) {
        blocks.push([Number(id), value]);
        continue;
      }
      if (kind === 'e') {
        schemas.set(key, value.toString());
        continue;
      }
      if (kind === 't') {
        // A purchase under a key of its own, the layout of earlier versions: it goes into a block
        // at the next commit, and its key is deleted then.
        this.dirtyEntries.add(this.restoreEntry(id, decodeEntry(value)));
        this.dirty.mark(key);
        continue;
      }
      const parsed: unknown = JSON.parse(value.toString());
      if (key === 'w') this.merge.restore(parsed as EventTimeState);
      else if (key === 's') this.swept = parsed as SweepState;
      else if (kind === 'p') this.progress.get(id)?.restore(parsed as ProgressState);
      else if (kind === 'h') this.customer(id).home = parsed as Home;
      else if (kind === 'd') {
        // A day of purchases under one key, the layout of older changelogs.
        for (const stored of parsed as Parameters<typeof fromJson>[0][]) {
          this.dirtyEntries.add(this.restoreEntry(id, fromJson(stored)));
        }
        this.dirty.mark(key);
      }
    }
    // Later blocks hold later copies.
    blocks.sort((a, b) => a[0] - b[0]);
    const reader = new EntryBlockReader(schemas);
    this.schemaStored = schemas.has(blockSchemaRecord().key);
    for (const [block, value] of blocks) {
      this.nextBlock = Math.max(this.nextBlock, block + 1);
      this.blockLive.set(block, 0);
      reader.read(value, (customerId, stored) => current.set(stored.i, { customerId, stored, block }));
    }
    for (const { customerId, stored, block } of current.values()) {
      this.restoreEntry(customerId, stored).block = block;
      this.blockLive.set(block, (this.blockLive.get(block) ?? 0) + 1);
    }
    for (const [block, live] of this.blockLive) if (live === 0) this.releaseBlock(block);
    // A block may still hold copies of purchases swept before the restart: sweep them again.
    this.dropBefore(this.swept.cutoff);
    this.queue = [...this.awaiting.values()].sort(compareEntries);
  }

  private restoreEntry(customerId: string, stored: SerializedEntry): StoredEntry {
    const owner = this.customer(customerId);
    const venue = this.venueOf(stored.m, stored.tm, stored.la, stored.lo);
    const entry = deserializeEntry(stored, owner, venue);
    const entries = owner.entries;
    const known = findEntry(owner, entry.id, entry.t, true);
    // A purchase under two keys of an old layout (a day key and its own): the one read last wins.
    if (known) entries[entries.indexOf(known)] = entry;
    else {
      insertSorted(entries, entry);
      this.held++;
    }
    if (known) this.awaiting.delete(known.id);
    if (!entry.emitted) this.awaiting.set(entry.id, entry);
    else entry.compactId();
    return entry;
  }

  stateSize(): Record<string, number> {
    return {
      customers: this.customers.size,
      purchases: this.held,
      buffered: this.merge.buffered,
      awaiting_merchant: this.queue.length,
    };
  }
}

/**
 * A customer's purchase by id: at `t` by binary search (the entries are sorted by time, then id);
 * unless `exact`, by every purchase of the customer when none is at that time (a label naming
 * another time than its purchase's).
 */
function findEntry(state: CustomerState, id: string, t: number, exact: boolean): StoredEntry | undefined {
  const { entries } = state;
  let lo = 0;
  let hi = entries.length;
  // A new purchase is usually the customer's latest: one comparison says it is not there.
  const last = entries[hi - 1];
  if (exact && (last === undefined || last.t < t)) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const entry = entries[mid] as StoredEntry;
    if (entry.t < t || (entry.t === t && entry.id < id)) lo = mid + 1;
    else hi = mid;
  }
  const found = entries[lo];
  const suffix = state.idSuffix(id);
  if (found?.is(id, suffix)) return found;
  return exact ? undefined : entries.find((entry) => entry.is(id, suffix));
}

function blockKey(block: number): string {
  return `b|${block}`;
}

/** The last sweep: its event-time day and the time before which emitted purchases were dropped. */
interface SweepState {
  day: number;
  cutoff: number;
}

function compareEntries(a: StoredEntry, b: StoredEntry): number {
  return compareTimed({ t: a.t, rank: 0, id: a.id, source: '' }, { t: b.t, rank: 0, id: b.id, source: '' });
}

function serializeEntry(entry: StoredEntry): SerializedEntry {
  const { pending } = entry;
  return {
    i: entry.id,
    t: entry.t,
    a: entry.amount,
    m: entry.merchantId,
    tm: entry.terminalId,
    la: entry.lat,
    lo: entry.lon,
    e: entry.emitted,
    l: entry.late,
    f: pending?.facts ?? null,
    cf: pending?.customerFeatures ?? null,
    mf: pending?.merchantFeatures ?? null,
    lb: pending?.label ?? null,
    ml: pending?.laterLabels ?? [],
    // Once its place in the features topic is known, the changelog names the record instead of
    // holding it: a restored purchase reads it back for its label (most of the changelog's bytes
    // were these copies). In `memory` mode the running task still keeps it.
    x: entry.featuresAt >= 0 ? null : (pending?.features ?? null),
    xo: entry.featuresAt,
  };
}

function deserializeEntry(stored: SerializedEntry, owner: CustomerState, venue: Venue): StoredEntry {
  const entry = new StoredEntry(
    { id: stored.i, t: stored.t, amount: stored.a },
    venue,
    owner,
    stored.e,
    stored.l,
    stored.f ?? undefined,
  );
  const pending = entry.hold();
  pending.customerFeatures = stored.cf ?? undefined;
  pending.merchantFeatures = stored.mf ?? undefined;
  pending.label = stored.lb ? withLabelDefaults(stored.lb) : undefined;
  pending.laterLabels = stored.ml.length > 0 ? stored.ml.map(withLabelDefaults) : undefined;
  pending.features = stored.x ?? undefined;
  entry.settle();
  entry.featuresAt = stored.xo;
  return entry;
}
