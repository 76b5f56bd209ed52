/**
 * Events on their way from the generating thread to the sending thread, packed into one
 * ArrayBuffer (moved between the threads, not copied) instead of a message object each:
 *
 *   u8 topic index · f64 timestamp · u16 key length · key (UTF-8) · u32 value length · value
 *
 * The topic names travel once, in the slab that first uses them.
 */

/** Bytes of a record besides its key and value. */
const RECORD_OVERHEAD = 1 + 8 + 2 + 4;

/** Per slab: a record larger than this gets a slab of its own size. */
export const SLAB_BYTES = 1 << 20;

export interface Slab {
  buffer: ArrayBuffer;
  /** Bytes written. */
  length: number;
  records: number;
  /** Topic names first used in this slab, by index. */
  topics: [number, string][];
}

export class SlabWriter {
  private bytes = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private view = new DataView(this.bytes.buffer);
  private position = 0;
  private count = 0;
  private readonly topicIndex = new Map<string, number>();
  private newTopics: [number, string][] = [];

  get records(): number {
    return this.count;
  }

  /** Whether a record of these sizes fits in what is left of the slab. */
  fits(keyBytes: number, valueBytes: number): boolean {
    return this.position + RECORD_OVERHEAD + keyBytes + valueBytes <= this.bytes.length;
  }

  /** Appends one record; the caller has checked `fits` (or the slab is empty: it grows then). */
  add(topic: string, key: string | Uint8Array, value: Uint8Array, timestamp: number): void {
    let index = this.topicIndex.get(topic);
    if (index === undefined) {
      index = this.topicIndex.size;
      if (index > 255) throw new RangeError('slab: more than 256 topics');
      this.topicIndex.set(topic, index);
      this.newTopics.push([index, topic]);
    }
    const keyBytes = typeof key === 'string' ? Buffer.byteLength(key) : key.length;
    if (keyBytes > 0xffff) throw new RangeError(`slab: a key of ${keyBytes} bytes (at most 65,535)`);
    if (!this.fits(keyBytes, value.length)) {
      // Only an empty slab takes a record larger than a slab.
      if (this.count > 0) throw new RangeError('slab: record does not fit');
      this.bytes = Buffer.allocUnsafeSlow(RECORD_OVERHEAD + keyBytes + value.length);
      this.view = new DataView(this.bytes.buffer);
    }
    const view = this.view;
    let at = this.position;
    view.setUint8(at, index);
    view.setFloat64(at + 1, timestamp);
    view.setUint16(at + 9, keyBytes);
    at += 11;
    if (typeof key === 'string') at += this.bytes.write(key, at);
    else {
      this.bytes.set(key, at);
      at += keyBytes;
    }
    view.setUint32(at, value.length);
    at += 4;
    this.bytes.set(value, at);
    this.position = at + value.length;
    this.count++;
  }

  /** The slab written so far; the writer starts a fresh one. */
  take(): Slab {
    const slab: Slab = {
      buffer: this.bytes.buffer as ArrayBuffer,
      length: this.position,
      records: this.count,
      topics: this.newTopics,
    };
    this.bytes = Buffer.allocUnsafeSlow(SLAB_BYTES);
    this.view = new DataView(this.bytes.buffer);
    this.position = 0;
    this.count = 0;
    this.newTopics = [];
    return slab;
  }
}

/**
 * Reads a slab's records one at a time (the caller may await between two of them): `open`, then
 * `next()` until false, reading the current record from the fields. Topic names are kept across
 * slabs (a name is sent only once).
 */
export class SlabReader {
  private readonly names: string[] = [];
  private bytes = Buffer.alloc(0);
  private view = new DataView(new ArrayBuffer(0));
  private at = 0;
  private left = 0;
  topic = '';
  /** A view of the slab (no copy). */
  key: Buffer = this.bytes;
  /** A view of the slab (no copy). */
  value: Buffer = this.bytes;
  timestamp = 0;

  open(slab: Slab): void {
    for (const [index, name] of slab.topics) this.names[index] = name;
    this.bytes = Buffer.from(slab.buffer, 0, slab.length);
    this.view = new DataView(slab.buffer, 0, slab.length);
    this.at = 0;
    this.left = slab.records;
  }

  next(): boolean {
    if (this.left === 0) return false;
    this.left--;
    const view = this.view;
    let at = this.at;
    const topic = this.names[view.getUint8(at)];
    if (topic === undefined) throw new RangeError(`slab: unknown topic index ${view.getUint8(at)}`);
    this.topic = topic;
    this.timestamp = view.getFloat64(at + 1);
    const keyBytes = view.getUint16(at + 9);
    at += 11;
    this.key = this.bytes.subarray(at, at + keyBytes);
    at += keyBytes;
    const valueBytes = view.getUint32(at);
    at += 4;
    this.value = this.bytes.subarray(at, at + valueBytes);
    this.at = at + valueBytes;
    return true;
  }
}
