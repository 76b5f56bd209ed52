/**
 * Dead letters as TabSeparated lines for ClickHouse. Data rows go as RowBinary (row-binary.ts);
 * dead letters are rare and built at write time, where text is simplest.
 */
import { KAFKA_COLUMNS } from '../columns.ts';
import type { SinkRecord } from '../engine/sink.ts';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** A String field of TabSeparated (escaped). */
export function tsvString(value: string): string {
  return /[\\\t\n\r\0]/.test(value) ? value.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c] as string) : value;
}

export interface LineWriter {
  /** The INSERT's column list, in line order. */
  columns: string[];
  line(record: SinkRecord): string;
}

export const deadLetterWriter: LineWriter = {
  columns: [
    'received_ms',
    'stage',
    'error',
    'error_class',
    'source_topic',
    'source_partition',
    'source_offset',
    'payload_base64',
    ...KAFKA_COLUMNS,
  ],
  line(record) {
    const letter = record.deadLetter;
    if (!letter)
      throw new TypeError(`record ${record.topic}/${record.partition}/${record.offset} is not a dead letter`);
    return `${[
      Date.now(),
      tsvString(letter.stage),
      tsvString(letter.error),
      tsvString(letter.errorClass),
      tsvString(letter.source.topic),
      letter.source.partition,
      letter.source.offset,
      letter.payload?.toString('base64') ?? '',
      tsvString(record.topic),
      record.partition,
      record.offset,
    ].join('\t')}\n`;
  },
};
