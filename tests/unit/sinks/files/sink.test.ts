/**
 * The files sink on a real folder: typed Parquet a Parquet reader reads back, JSON lines, files
 * per topic and hour, dead letters beside them, and exactly once across a batch that died
 * half-written (its files are there, its position is not).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import avro from 'avsc';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../core/logger.ts';
import type { SinkRecord } from '../../../../sinks/engine/sink.ts';
import { filesLanded } from '../../../../sinks/files/landed.ts';
import { filesSink } from '../../../../sinks/files/sink.ts';
import { type AvroKind, RECORD_KINDS, schemaOf } from '../../../../sinks/tables.ts';

const logger = createLogger({ level: 'silent', pretty: false });
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 31, 7, 30);
const AVRO_KINDS = RECORD_KINDS.filter((kind): kind is AvroKind => kind !== 'deadLetters');

function lake(format: 'parquet' | 'jsonl') {
  const dir = mkdtempSync(path.join(tmpdir(), 'synfin-files-'));
  const routes = new Map(AVRO_KINDS.map((kind) => [`r.${kind}`, kind] as const));
  return { dir, sink: filesSink({ dir, format }, { routes, logger }) };
}

/** Random valid values of a kind, as the runtime hands them to encode (decoded from Avro). */
function values(kind: AvroKind, n: number): Record<string, unknown>[] {
  const type = avro.Type.forSchema(schemaOf(kind) as unknown as avro.Schema);
  return Array.from(
    { length: n },
    () => type.fromBuffer(type.toBuffer(type.random())) as Record<string, unknown>,
  );
}

function record(
  sink: ReturnType<typeof lake>['sink'],
  kind: AvroKind,
  value: Record<string, unknown>,
  partition: number,
  offset: number,
  timestampMs: number,
): SinkRecord {
  const topic = `r.${kind}`;
  const row = sink.encode(kind, value, topic, partition, offset);
  return { topic, partition, offset, kind, timestampMs, bytes: row.length, row, payload: Buffer.from('x') };
}

function deadLetter(kind: AvroKind, partition: number, offset: number, timestampMs: number): SinkRecord {
  const topic = `r.${kind}`;
  const payload = Buffer.from([0, 0, 0, 0, 9, 1]);
  return {
    topic,
    partition,
    offset,
    kind: 'deadLetters',
    timestampMs,
    bytes: payload.length,
    row: null,
    payload,
    deadLetter: {
      stage: 'sink-files',
      error: 'bad bytes',
      errorClass: 'MESSAGE_DECODE_FAILED',
      source: { topic, partition, offset },
      payload,
    },
  };
}

const filesUnder = (dir: string) =>
  (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.(parquet|jsonl)$/.test(f)).sort();

describe('the files sink', () => {
  it('lands every kind as typed Parquet a reader reads back, per topic and hour', async () => {
    const { dir, sink } = lake('parquet');
    await sink.start();
    for (const kind of AVRO_KINDS) {
      const rows = values(kind, 5);
      await sink.write(rows.map((value, i) => record(sink, kind, value, 0, i, T0 + (i >= 3 ? HOUR : 0))));
      const folder = path.join(dir, `r.${kind}`);
      expect(filesUnder(folder)).toEqual([
        path.join('date=2026-01-31', 'hour=07', 'p0-0-2.parquet'),
        path.join('date=2026-01-31', 'hour=08', 'p0-3-4.parquet'),
      ]);
      const read = [
        ...(await parquetReadObjects({
          file: await asyncBufferFromFile(path.join(folder, 'date=2026-01-31', 'hour=07', 'p0-0-2.parquet')),
        })),
        ...(await parquetReadObjects({
          file: await asyncBufferFromFile(path.join(folder, 'date=2026-01-31', 'hour=08', 'p0-3-4.parquet')),
        })),
      ];
      expect(read.map((row) => row.kafka_offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(read.every((row) => row.kafka_topic === `r.${kind}` && row.kafka_partition === 0)).toBe(true);
      // Each field as the schema typed it: timestamps and dates as instants, longs as 64-bit.
      const schema = schemaOf(kind) as unknown as { fields: { name: string }[] };
      const first = read[0] as Record<string, unknown>;
      const original = rows[0] as Record<string, unknown>;
      const line = JSON.parse(sink.encode(kind, original, `r.${kind}`, 0, 0).toString()) as Record<
        string,
        unknown
      >;
      for (const [column, value] of Object.entries(line)) {
        const got = first[column];
        if (value === null) expect(got, column).toBeNull();
        else if (got instanceof Date)
          expect(got.toISOString().slice(0, String(value).length), column).toBe(value);
        else if (typeof got === 'bigint') expect(Number(got), column).toBe(value);
        else if (typeof value === 'number' && typeof got === 'number')
          expect(got, column).toBeCloseTo(value, 5);
        else expect(got, column).toEqual(value);
      }
      expect(Object.keys(first)).toHaveLength(schema.fields.length + 3);
    }
    expect(await sink.positions('r.transactions')).toEqual(new Map([[0, 5]]));
    const landed = await filesLanded({ dir, format: 'parquet' }, { transactions: 'r.transactions' }, [
      'transactions',
    ]);
    expect(landed).toEqual({ transactions: 5 });
  });

  it('writes JSON lines with dead letters beside the rows, each in the file of its hour', async () => {
    const { dir, sink } = lake('jsonl');
    await sink.start();
    const rows = values('labels', 3);
    await sink.write([
      record(sink, 'labels', rows[0] as Record<string, unknown>, 1, 10, T0),
      deadLetter('labels', 1, 11, T0),
      record(sink, 'labels', rows[1] as Record<string, unknown>, 1, 12, T0),
      record(sink, 'labels', rows[2] as Record<string, unknown>, 2, 4, T0),
    ]);
    const hour = path.join(dir, 'r.labels', 'date=2026-01-31', 'hour=07');
    expect(readdirSync(hour).sort()).toEqual([
      'p1-10-12.jsonl',
      'p1-11-11.dead-letters.jsonl',
      'p2-4-4.jsonl',
    ]);
    const lines = readFileSync(path.join(hour, 'p1-10-12.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.kafka_offset)).toEqual([10, 12]);
    expect(lines[0].label_id).toBe((rows[0] as { labelId: string }).labelId);
    const letter = JSON.parse(readFileSync(path.join(hour, 'p1-11-11.dead-letters.jsonl'), 'utf8'));
    expect(letter).toMatchObject({
      error_class: 'MESSAGE_DECODE_FAILED',
      source_offset: 11,
      payload_base64: 'AAAAAAkB',
    });
    expect(await sink.positions('r.labels')).toEqual(
      new Map([
        [1, 13],
        [2, 5],
      ]),
    );
    expect(await filesLanded({ dir, format: 'jsonl' }, { labels: 'r.labels' }, ['labels'])).toEqual({
      labels: 4,
    });
  });

  it('lands exactly once: a batch that died before its position moved is removed, a replay adds nothing', async () => {
    const { dir, sink } = lake('jsonl');
    await sink.start();
    const rows = values('transactions', 6);
    const at = (i: number) =>
      record(sink, 'transactions', rows[i] as Record<string, unknown>, 0, i, T0 + i * HOUR);
    await sink.write([at(0), at(1), at(2)]);
    // What a process killed mid-batch leaves: the batch's first file renamed into place, another
    // still under its temporary name, the position not moved.
    const folder = path.join(dir, 'r.transactions');
    writeFileSync(path.join(folder, 'date=2026-01-31', 'hour=07', 'p0-3-4.jsonl'), 'half a batch\n');
    writeFileSync(path.join(folder, 'date=2026-01-31', 'hour=07', 'p0-5-5.jsonl.tmp-1'), 'x');
    const again = filesSink(
      { dir, format: 'jsonl' },
      { routes: new Map([['r.transactions', 'transactions']]), logger },
    );
    expect(await again.positions('r.transactions')).toEqual(new Map([[0, 3]]));
    // Read again from the position, with a replay of what had landed in front of it.
    await again.write([at(1), at(2), at(3), at(4), at(5)]);
    await again.write([at(4)]);
    const offsets = filesUnder(folder).flatMap((file) =>
      readFileSync(path.join(folder, file), 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { kafka_offset: number }).kafka_offset),
    );
    expect(offsets.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(filesUnder(folder).some((file) => file.includes('.tmp-'))).toBe(false);
    expect(
      await filesLanded({ dir, format: 'jsonl' }, { transactions: 'r.transactions' }, ['transactions']),
    ).toEqual({
      transactions: 6,
    });
  });
});
