import { describe, expect, it } from 'vitest';
import { visibleRecords } from '../../../../core/kafka/fetcher.ts';

const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;

/** A record batch as the client parses it: `count` records from `first`, of producer `pid`. */
function batch(first: number, count: number, pid: bigint, attributes = TRANSACTIONAL) {
  return {
    firstOffset: BigInt(first),
    lastOffsetDelta: count - 1,
    firstTimestamp: 1_000n,
    attributes,
    producerId: pid,
    records: Array.from({ length: count }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: BigInt(i),
      key: null,
      value: Buffer.from(`${pid}-${first + i}`),
      headers: [],
    })),
  };
}

/** A transaction marker: control record key (version 0, type 0 = abort, 1 = commit). */
function marker(offset: number, pid: bigint, commit: boolean) {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  return {
    firstOffset: BigInt(offset),
    lastOffsetDelta: 0,
    firstTimestamp: 1_000n,
    attributes: TRANSACTIONAL | CONTROL,
    producerId: pid,
    records: [{ offsetDelta: 0, timestampDelta: 0n, key, value: null, headers: [] }],
  };
}

const values = (records: { value: Buffer | null }[]) => records.map((r) => r.value?.toString());

describe('visibleRecords (read_committed)', () => {
  it('drops an aborted transaction whose marker is in the response, keeps a committed one', () => {
    const result = visibleRecords(
      {
        abortedTransactions: [{ producerId: 7n, firstOffset: 0n }],
        records: [batch(0, 2, 7n), batch(2, 1, 8n), marker(3, 7n, false), marker(4, 8n, true)],
      },
      0,
    );
    expect(values(result.records)).toEqual(['8-2']);
    expect(result.nextOffset).toBe(5);
  });

  it('drops aborted batches even when the response ends before their abort marker', () => {
    const result = visibleRecords(
      {
        abortedTransactions: [{ producerId: 7n, firstOffset: 0n }],
        records: [batch(0, 2, 7n), batch(2, 2, 7n)],
      },
      0,
    );
    expect(result.records).toEqual([]);
    // Reading goes on past them: the next fetch starts after what was seen.
    expect(result.nextOffset).toBe(4);
  });

  it('keeps a later transaction of the same producer once its abort marker has passed', () => {
    const result = visibleRecords(
      {
        abortedTransactions: [{ producerId: 7n, firstOffset: 0n }],
        records: [batch(0, 1, 7n), marker(1, 7n, false), batch(2, 1, 7n), marker(3, 7n, true)],
      },
      0,
    );
    expect(values(result.records)).toEqual(['7-2']);
  });

  it('an aborted transaction starting later does not hide the same producer’s earlier records', () => {
    const result = visibleRecords(
      {
        abortedTransactions: [{ producerId: 7n, firstOffset: 2n }],
        records: [batch(0, 1, 7n), marker(1, 7n, true), batch(2, 1, 7n), marker(3, 7n, false)],
      },
      0,
    );
    expect(values(result.records)).toEqual(['7-0']);
  });

  it('skips what lies before the position, non-transactional batches pass', () => {
    const result = visibleRecords({ abortedTransactions: null, records: [batch(10, 5, -1n, 0)] }, 12);
    expect(result.records.map((r) => r.offset)).toEqual([12, 13, 14]);
    expect(result.records[0]?.timestamp).toBe(1_002);
    expect(result.nextOffset).toBe(15);
  });
});
