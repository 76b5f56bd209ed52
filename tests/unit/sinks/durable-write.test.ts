import { describe, expect, it } from 'vitest';
import { writeDurably } from '../../../sinks/engine/durable-write.ts';
import type { SinkRecord } from '../../../sinks/engine/sink.ts';
import { decodedRow, memorySink, records, topicValue } from '../../fixtures/memory-sink.ts';

function options(overrides: Partial<Parameters<typeof writeDurably>[2]> = {}) {
  const log = { retries: 0, deadLetters: [] as SinkRecord[], readBack: [] as string[] };
  return {
    log,
    options: {
      retry: { minMs: 1, maxMs: 2 },
      signal: new AbortController().signal,
      pause: async () => undefined,
      onRetry: () => {
        log.retries++;
      },
      onDeadLetter: (record: SinkRecord) => {
        log.deadLetters.push(record);
      },
      // As the runtime reads a refused record back from its topic.
      payloadOf: async (record: SinkRecord) => {
        log.readBack.push(`${record.partition}-${record.offset}`);
        return topicValue(record);
      },
      ...overrides,
    },
  };
}

describe('writing a batch durably', () => {
  it('retries while the database is down and lands everything once', async () => {
    const sink = memorySink();
    sink.failBefore = 3;
    const { log, options: opts } = options();
    await writeDurably(sink, records('t', 3, 10), opts);
    expect(log.retries).toBe(3);
    expect(sink.rows.size).toBe(30);
    expect([...sink.rows.values()].every((row) => row.writes === 1)).toBe(true);
  });

  it('does not write again what landed before the acknowledgement was lost', async () => {
    const sink = memorySink();
    sink.failAfter = 1;
    const { log, options: opts } = options();
    await writeDurably(sink, records('t', 2, 5), opts);
    expect(log.retries).toBe(1);
    expect(sink.rows.size).toBe(10);
    expect([...sink.rows.values()].map((row) => row.writes)).toEqual(Array(10).fill(1));
  });

  it('isolates each refused row into a dead letter and lands all the others once', async () => {
    const sink = memorySink();
    const refused = new Set(['1-3', '0-7', '2-7']);
    sink.refuses = (record) => refused.has(decodedRow(record).transactionId as string);
    const { log, options: opts } = options();
    const batch = records('t', 3, 10);
    await writeDurably(sink, batch, opts);
    expect(log.deadLetters.map((r) => `${r.partition}-${r.offset}`).sort()).toEqual(['0-7', '1-3', '2-7']);
    const landed = [...sink.rows.values()];
    expect(landed).toHaveLength(30);
    expect(landed.every((row) => row.writes === 1)).toBe(true);
    const letters = landed.filter((row) => row.record.kind === 'deadLetters');
    expect(letters.map((row) => row.record.deadLetter?.errorClass)).toEqual(
      Array(3).fill('SINK_ROW_REJECTED'),
    );
    // Each letter holds its own record's value, read back for the refused records alone.
    expect(
      letters.map((row) => [
        `${row.record.partition}-${row.record.offset}`,
        JSON.parse(String(row.record.deadLetter?.payload)).transactionId,
      ]),
    ).toEqual(
      letters.map((row) => [
        `${row.record.partition}-${row.record.offset}`,
        `${row.record.partition}-${row.record.offset}`,
      ]),
    );
    expect(log.readBack.sort()).toEqual(['0-7', '1-3', '2-7']);
    expect(letters.every((row) => row.record.payload?.equals(row.record.deadLetter?.payload as Buffer))).toBe(
      true,
    );
  });

  it('keeps the payload a refused record still holds, without reading it back', async () => {
    const sink = memorySink();
    sink.refuses = (record) => record.offset === 1;
    const { log, options: opts } = options();
    const held = Buffer.from('as it was on the topic');
    const batch = records('t', 1, 3).map((r) => (r.offset === 1 ? { ...r, payload: held } : r));
    await writeDurably(sink, batch, opts);
    expect(log.readBack).toEqual([]);
    const [letter] = [...sink.rows.values()].filter((row) => row.record.kind === 'deadLetters');
    expect(letter?.record.deadLetter?.payload).toEqual(held);
    expect(sink.rows.size).toBe(3);
  });

  it('does not write twice what a refused write landed in another table', async () => {
    const sink = memorySink();
    sink.refuses = (record) => record.topic === 'b' && record.offset === 5 && record.partition === 0;
    const { log, options: opts } = options();
    // Topics interleaved as batches of several topics arrive: a's rows land before b's are refused.
    const batch = [
      ...records('a', 2, 10),
      ...records('b', 2, 10),
      ...records('a', 2, 10).map((r) => ({ ...r, offset: r.offset + 10 })),
    ];
    await writeDurably(sink, batch, opts);
    expect(log.deadLetters.map((r) => `${r.topic}/${r.partition}/${r.offset}`)).toEqual(['b/0/5']);
    expect(sink.rows.size).toBe(60);
    expect([...sink.rows.values()].filter((row) => row.writes !== 1)).toEqual([]);
  });

  it('survives an outage in the middle of isolating a refused row', async () => {
    const sink = memorySink();
    sink.refuses = (record) => record.offset === 4 && record.partition === 1;
    let calls = 0;
    const { options: opts } = options({
      pause: async () => {
        calls++;
      },
    });
    const original = sink.write.bind(sink);
    sink.write = async (batch) => {
      // The third write (inside the split) finds the database gone once, after landing.
      if (sink.writes === 2 && sink.failAfter === 0 && calls === 0) sink.failAfter = 1;
      return original(batch);
    };
    await writeDurably(sink, records('t', 2, 8), opts);
    expect(calls).toBeGreaterThan(0);
    expect(sink.rows.size).toBe(16);
    expect([...sink.rows.values()].every((row) => row.writes === 1)).toBe(true);
  });

  it('gives up at once on a programming error, and on an error once stopping', async () => {
    const sink = memorySink();
    sink.write = async () => {
      throw new TypeError('bug');
    };
    await expect(writeDurably(sink, records('t', 1, 1), options().options)).rejects.toThrow(TypeError);
    const stopping = new AbortController();
    stopping.abort();
    const down = memorySink();
    down.failBefore = 1;
    await expect(
      writeDurably(down, records('t', 1, 1), options({ signal: stopping.signal }).options),
    ).rejects.toMatchObject({ code: 'SINK_UNAVAILABLE' });
  });
});
