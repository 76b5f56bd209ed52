/**
 * The byte layout the stages' internal records and changelog blocks are written in: fixed-width
 * numbers (little-endian) and strings as a uint16 UTF-8 length plus bytes. One growable buffer per
 * writer, reused across blocks, so that writing an item allocates nothing; a reader checks every
 * bound and throws InvalidRecordError on a truncated record.
 */
import { InvalidRecordError } from './task.ts';

export class ByteWriter {
  private buffer: Buffer;
  private at = 0;
  private readonly initialBytes: number;

  constructor(initialBytes = 64 * 1024) {
    this.initialBytes = initialBytes;
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.at;
  }

  /** Bytes the writer holds for the next block. */
  get capacity(): number {
    return this.buffer.length;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  u8(value: number): void {
    this.room(1);
    this.buffer[this.at++] = value;
  }

  u16(value: number): void {
    this.room(2);
    this.buffer.writeUInt16LE(value, this.at);
    this.at += 2;
  }

  f64(value: number): void {
    this.room(8);
    this.buffer.writeDoubleLE(value, this.at);
    this.at += 8;
  }

  bytes(value: Buffer): void {
    this.room(value.length);
    value.copy(this.buffer, this.at);
    this.at += value.length;
  }

  string(value: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    this.room(2 + value.length * 3);
    const length = this.buffer.write(value, this.at + 2, 'utf8');
    if (length > 0xffff) throw new RangeError(`a string of ${length} bytes does not fit a uint16 length`);
    this.buffer.writeUInt16LE(length, this.at);
    this.at += 2 + length;
  }

  /** A value in a compiled Avro type's binary encoding (avsc), written in place. */
  avro(type: AvroBinaryType, value: unknown): void {
    for (;;) {
      const end = type.encode(value, this.buffer, this.at);
      if (end >= 0) {
        this.at = end;
        return;
      }
      // A negative end is how many bytes were missing.
      this.room(this.buffer.length - end - this.at);
    }
  }

  /** The bytes written since the last take, as a buffer of their own; the writer starts over. */
  take(): Buffer {
    const bytes = Buffer.from(this.buffer.subarray(0, this.at));
    // A buffer grown for one large block (a backfill's first commits write megabytes) is given
    // back once blocks are small again: each task's writers kept their largest block for good,
    // ~13 MB at 3,000 customers that the state bench counted as state.
    if (this.buffer.length > this.initialBytes && this.at * 4 < this.buffer.length)
      this.buffer = Buffer.allocUnsafe(Math.max(this.initialBytes, this.at * 2));
    this.at = 0;
    return bytes;
  }
}

/** The part of an avsc Type these use. */
export interface AvroBinaryType {
  encode(value: unknown, buffer: Buffer, position: number): number;
  decode(buffer: Buffer, position: number, resolver?: unknown): { value: unknown; offset: number };
}

export class ByteReader {
  private readonly buffer: Buffer;
  private at: number;
  private readonly what: string;

  constructor(buffer: Buffer, what: string, from = 0) {
    this.buffer = buffer;
    this.what = what;
    this.at = from;
  }

  get done(): boolean {
    return this.at >= this.buffer.length;
  }

  private need(bytes: number): number {
    if (this.at + bytes > this.buffer.length) throw new InvalidRecordError(`${this.what}: truncated`);
    const at = this.at;
    this.at += bytes;
    return at;
  }

  u8(): number {
    return this.buffer[this.need(1)] as number;
  }

  u16(): number {
    return this.buffer.readUInt16LE(this.need(2));
  }

  f64(): number {
    return this.buffer.readDoubleLE(this.need(8));
  }

  /** A value in Avro's binary encoding; `resolver` reads one written with another schema. */
  avro(type: AvroBinaryType, resolver?: unknown): unknown {
    const { value, offset } = type.decode(this.buffer, this.at, resolver);
    if (offset < 0) throw new InvalidRecordError(`${this.what}: truncated`);
    this.at = offset;
    return value;
  }

  /** The next `length` bytes, as a view. */
  bytes(length: number): Buffer {
    const at = this.need(length);
    return this.buffer.subarray(at, at + length);
  }

  string(): string {
    const length = this.u16();
    const at = this.need(length);
    return this.buffer.toString('utf8', at, at + length);
  }
}
