/**
 * Where a sink encodes rows as they are read: large chunks of bytes, a row never split across two.
 * A batch then holds each row as a view of a chunk rather than the decoded record: the decoded
 * objects die young (cheap to collect) instead of living until the batch lands, and the memory a
 * batch takes is its encoded bytes. Writes coalesce adjacent views back into whole chunk slices.
 *
 * The writers are the primitives of the sinks' wire formats: little-endian numbers and
 * varint-prefixed strings (ClickHouse RowBinary), escaped text (Postgres COPY).
 */

/** Fresh chunks are this big (a row larger than that gets a chunk of its own size). */
const CHUNK_BYTES = 1 << 20;
const TWO_32 = 4_294_967_296;

const scratch = new DataView(new ArrayBuffer(8));

/** Characters COPY text escapes, by code: the escape's second byte (0 when none). */
const COPY_ESCAPES = new Uint8Array(128);
COPY_ESCAPES[0x5c] = 0x5c; // backslash
COPY_ESCAPES[0x09] = 0x74; // \t
COPY_ESCAPES[0x0a] = 0x6e; // \n
COPY_ESCAPES[0x0d] = 0x72; // \r

const DAY_MS = 86_400_000;
/** 0000-01-01 and 9999-12-31 in days since the epoch: the years `toISOString` writes with four digits. */
const FIRST_DAY = -719_528;
const LAST_DAY = 2_932_896;

function twoDigits(c: Buffer, p: number, value: number): number {
  const tens = Math.floor(value / 10);
  c[p] = 0x30 + tens;
  c[p + 1] = 0x30 + (value - tens * 10);
  return p + 2;
}

/** Writes `YYYY-MM-DD` of a day since the epoch at `p` (days_from_civil inverted, H. Hinnant). */
function writeDate(c: Buffer, p: number, days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  p = twoDigits(c, p, Math.floor(year / 100));
  p = twoDigits(c, p, year % 100);
  c[p++] = 0x2d;
  p = twoDigits(c, p, month);
  c[p++] = 0x2d;
  return twoDigits(c, p, day);
}

export class RowBuffer {
  private chunk: Buffer;
  private pos = 0;
  private start = 0;
  private readonly chunkBytes: number;

  constructor(chunkBytes = CHUNK_BYTES) {
    this.chunkBytes = chunkBytes;
    this.chunk = Buffer.allocUnsafeSlow(chunkBytes);
  }

  /** Starts a row (a row left unfinished by a throw is overwritten by the next). */
  begin(): void {
    this.pos = this.start;
  }

  /** The row written since begin(): a view that stays valid after later rows are written. */
  end(): Buffer {
    const row = this.chunk.subarray(this.start, this.pos);
    this.start = this.pos;
    return row;
  }

  /** Room for `bytes` more in the current chunk, moving the row so far to a new chunk if needed. */
  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.chunk.length) return;
    const written = this.pos - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, 2 * (written + bytes)));
    this.chunk.copy(next, 0, this.start, this.pos);
    this.chunk = next;
    this.start = 0;
    this.pos = written;
  }

  u8(value: number): void {
    this.ensure(1);
    this.chunk[this.pos++] = value;
  }

  u16(value: number): void {
    this.ensure(2);
    this.chunk[this.pos++] = value & 0xff;
    this.chunk[this.pos++] = (value >>> 8) & 0xff;
  }

  u32(value: number): void {
    this.ensure(4);
    const c = this.chunk;
    let p = this.pos;
    c[p++] = value & 0xff;
    c[p++] = (value >>> 8) & 0xff;
    c[p++] = (value >>> 16) & 0xff;
    c[p++] = (value >>> 24) & 0xff;
    this.pos = p;
  }

  /** A safe integer as 64 bits, two's complement (signed and unsigned alike). */
  i64(value: number): void {
    const high = Math.floor(value / TWO_32);
    this.u32(value - high * TWO_32);
    this.u32(high >>> 0);
  }

  f64(value: number): void {
    this.ensure(8);
    scratch.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.chunk[this.pos++] = scratch.getUint8(i);
  }

  f32(value: number): void {
    this.ensure(4);
    scratch.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.chunk[this.pos++] = scratch.getUint8(i);
  }

  /** An unsigned LEB128 varint (RowBinary's lengths and counts). */
  varint(value: number): void {
    this.ensure(10);
    let rest = value;
    while (rest >= 0x80) {
      this.chunk[this.pos++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.chunk[this.pos++] = rest;
  }

  /** UTF-8 bytes prefixed by their length as a varint (RowBinary String). */
  lengthPrefixed(value: string): void {
    const length = value.length;
    // Short ASCII (ids, codes, most names): one pass, no byte-length count.
    if (length < 0x80) {
      this.ensure(1 + length);
      const c = this.chunk;
      let p = this.pos + 1;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        c[p++] = code;
      }
      if (i === length) {
        c[this.pos] = length;
        this.pos = p;
        return;
      }
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varint(bytes);
    this.ensure(bytes);
    this.pos += this.chunk.write(value, this.pos, bytes, 'utf8');
  }

  /** Bytes `start`…`end` of `source` prefixed by their length as a varint (RowBinary String). */
  bytesPrefixed(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.varint(length);
    this.copy(source, start, end);
  }

  /** Bytes `start`…`end` of `source` as they are. */
  copy(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.ensure(length);
    const c = this.chunk;
    // Most fields are a few bytes: a loop beats Buffer#copy's checks (13% of a profile); set() for long ones.
    if (length <= 64) {
      let p = this.pos;
      for (let i = start; i < end; i++) c[p++] = source[i] as number;
      this.pos = p;
    } else {
      c.set(source.subarray(start, end), this.pos);
      this.pos += length;
    }
  }

  /** ASCII known to need no escaping (numbers, ISO dates, booleans) as it is. */
  ascii(value: string): void {
    const length = value.length;
    this.ensure(length);
    const c = this.chunk;
    let p = this.pos;
    for (let i = 0; i < length; i++) c[p++] = value.charCodeAt(i);
    this.pos = p;
  }

  /**
   * `YYYY-MM-DD` of a day count since the epoch (what `Date#toISOString` gives), as ASCII, after
   * a one-byte length (10) when `prefixed` (a RowBinary String). False, with nothing written, for
   * a day that is not an integer within years 0–9999 (the caller's slower path spells those).
   * No Date and no string per row: formatting was ~2–4% of a sink's CPU.
   */
  isoDate(days: number, prefixed = false): boolean {
    if (!Number.isInteger(days) || days < FIRST_DAY || days > LAST_DAY) return false;
    this.ensure(11);
    if (prefixed) this.chunk[this.pos++] = 10;
    this.pos = writeDate(this.chunk, this.pos, days);
    return true;
  }

  /** `Date#toISOString` of epoch milliseconds (`YYYY-MM-DDTHH:MM:SS.mmmZ`), as `isoDate` does a day. */
  isoTimestamp(ms: number): boolean {
    if (!Number.isInteger(ms)) return false;
    const days = Math.floor(ms / DAY_MS);
    if (days < FIRST_DAY || days > LAST_DAY) return false;
    this.ensure(24);
    const c = this.chunk;
    let p = writeDate(c, this.pos, days);
    let rest = ms - days * DAY_MS;
    const millis = rest % 1000;
    rest = (rest - millis) / 1000;
    const seconds = rest % 60;
    rest = (rest - seconds) / 60;
    const minutes = rest % 60;
    const hours = (rest - minutes) / 60;
    c[p++] = 0x54; // T
    p = twoDigits(c, p, hours);
    c[p++] = 0x3a;
    p = twoDigits(c, p, minutes);
    c[p++] = 0x3a;
    p = twoDigits(c, p, seconds);
    c[p++] = 0x2e;
    c[p++] = 0x30 + Math.floor(millis / 100);
    p = twoDigits(c, p, millis % 100);
    c[p++] = 0x5a; // Z
    this.pos = p;
    return true;
  }

  /**
   * A COPY text field: UTF-8 with backslash, tab, newline and carriage return escaped. False (the
   * row unfinished) when the value holds NUL, which Postgres text cannot store.
   */
  copyText(value: string): boolean {
    const length = value.length;
    this.ensure(2 * length);
    const c = this.chunk;
    let p = this.pos;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        this.pos = p;
        return this.copyTextWide(value, i);
      }
      if (code === 0) return false;
      const escaped = COPY_ESCAPES[code] as number;
      if (escaped !== 0) {
        c[p++] = 0x5c;
        c[p++] = escaped;
      } else c[p++] = code;
    }
    this.pos = p;
    return true;
  }

  /** The rest of a COPY text field from `from` on, once it holds a character beyond ASCII. */
  private copyTextWide(value: string, from: number): boolean {
    if (value.includes('\0', from)) return false;
    const rest = value.slice(from).replace(/[\\\t\n\r]/g, (ch) => `\\${ESCAPE_LETTERS[ch] as string}`);
    const bytes = Buffer.byteLength(rest, 'utf8');
    this.ensure(bytes);
    this.pos += this.chunk.write(rest, this.pos, bytes, 'utf8');
    return true;
  }

  /** A safe integer in decimal, without a string in between. */
  decimal(value: number): void {
    this.ensure(17);
    let rest = value;
    if (rest < 0) {
      this.chunk[this.pos++] = 0x2d;
      rest = -rest;
    }
    let digits = 1;
    for (let scale = 10; scale <= rest; scale *= 10) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const next = Math.floor(rest / 10);
      this.chunk[--p] = 0x30 + (rest - next * 10);
      rest = next;
    } while (rest > 0);
  }
}

const ESCAPE_LETTERS: Record<string, string> = { '\\': '\\', '\t': 't', '\n': 'n', '\r': 'r' };

/**
 * The rows of records (dead letters have none), adjacent views of one chunk joined back into one
 * slice each: what a write streams. An indexed loop: a generator here made an iterator result per row.
 */
export function coalesce(records: readonly { row: Buffer | null }[]): Buffer[] {
  const slices: Buffer[] = [];
  let buffer: ArrayBufferLike | undefined;
  let start = 0;
  let end = 0;
  for (let i = 0; i < records.length; i++) {
    const row = (records[i] as { row: Buffer | null }).row;
    if (row === null) continue;
    if (row.buffer === buffer && row.byteOffset === end) {
      end += row.length;
      continue;
    }
    if (buffer !== undefined) slices.push(Buffer.from(buffer, start, end - start));
    buffer = row.buffer;
    start = row.byteOffset;
    end = start + row.length;
  }
  if (buffer !== undefined) slices.push(Buffer.from(buffer, start, end - start));
  return slices;
}
