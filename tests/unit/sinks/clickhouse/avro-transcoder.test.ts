import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { isSynfinError, RowRejectedError } from '../../../../core/errors.ts';
import { AvroReader } from '../../../../sinks/clickhouse/avro-transcoder.ts';
import { rowBinaryTable } from '../../../../sinks/clickhouse/row-binary.ts';
import { RowBuffer } from '../../../../sinks/engine/row-buffer.ts';
import { type AvroKind, columnsOfKind, RECORD_KINDS, schemaOf } from '../../../../sinks/tables.ts';
import { CLICKHOUSE_TYPES } from '../../../fixtures/clickhouse-types.ts';

const AVRO_KINDS = RECORD_KINDS.filter((kind): kind is AvroKind => kind !== 'deadLetters');

function tableOf(kind: AvroKind) {
  const types = new Map<string, string>([
    ['kafka_topic', 'String'],
    ['kafka_partition', 'UInt32'],
    ['kafka_offset', 'UInt64'],
  ]);
  for (const c of columnsOfKind(kind)) {
    const type = CLICKHOUSE_TYPES[c.kind];
    types.set(c.kind === 'timestamp' ? `${c.name}_ms` : c.name, c.nullable ? `Nullable(${type})` : type);
  }
  return rowBinaryTable(kind, columnsOfKind(kind), types);
}

/** Wire format: magic byte, schema id 7, Avro body. */
const wire = (body: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), body]);

/** Runs `write` into a fresh row: its bytes, or the error it threw. */
function attempt(write: (w: RowBuffer) => void): Buffer | Error {
  const w = new RowBuffer(256);
  w.begin();
  try {
    write(w);
  } catch (error) {
    return error as Error;
  }
  return Buffer.from(w.end());
}

describe('Avro straight into RowBinary', () => {
  for (const kind of AVRO_KINDS) {
    it(`${kind}: writes the bytes the decoded path writes, and refuses what it refuses`, () => {
      const schema = schemaOf(kind);
      const type = avro.Type.forSchema(schema as unknown as avro.Schema);
      const table = tableOf(kind);
      const transcode = table.transcoder(schema);
      expect(transcode).toBeDefined();
      const reader = new AvroReader();
      let same = 0;
      let refused = 0;
      for (let i = 0; i < 300; i++) {
        const value = type.random() as unknown as Record<string, unknown>;
        // Half the records with plausible numbers (random longs are mostly out of range for UInt64).
        if (i % 2 === 0)
          for (const [k, v] of Object.entries(value))
            if (typeof v === 'number' && Number.isInteger(v)) value[k] = Math.abs(v) % 1e12;
        const message = wire(type.toBuffer(value));
        const decoded = type.fromBuffer(message.subarray(5)) as Record<string, unknown>;
        const viaObject = attempt((w) => table.encode(w, decoded, 'run.topic', 4, 123_456));
        const direct = attempt((w) => transcode?.(w, message, reader, 'run.topic', 4, 123_456));
        if (viaObject instanceof Error) {
          expect(viaObject).toBeInstanceOf(RowRejectedError);
          expect(direct).toBeInstanceOf(RowRejectedError);
          expect((direct as Error).message).toBe(viaObject.message);
          refused++;
        } else {
          expect(direct).toEqual(viaObject);
          same++;
        }
      }
      expect(same).toBeGreaterThan(100);
      expect(refused + same).toBe(300);
    });
  }

  it('calls a message cut anywhere, or with trailing bytes, not decodable', () => {
    const schema = schemaOf('customers');
    const type = avro.Type.forSchema(schema as unknown as avro.Schema);
    const transcode = tableOf('customers').transcoder(schema);
    const body = type.toBuffer(type.random());
    const reader = new AvroReader();
    // Cut after every byte but the last, and one byte too many.
    const messages = Array.from({ length: body.length - 1 }, (_, i) => wire(body.subarray(0, i + 1)));
    messages.push(wire(Buffer.concat([body, Buffer.from([0])])));
    for (const message of messages) {
      const error = attempt((w) => transcode?.(w, message, reader, 't', 0, 0));
      expect(isSynfinError(error) && error.code).toBe('MESSAGE_DECODE_FAILED');
    }
  });

  it('leaves a writer schema with other columns to the decoded path', () => {
    const schema = schemaOf('customers');
    const older = {
      ...schema,
      fields: (schema.fields as { name: string }[]).filter((f) => f.name !== 'runId'),
    };
    expect(tableOf('customers').transcoder(older)).toBeUndefined();
  });
});
