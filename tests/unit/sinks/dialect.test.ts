import { describe, expect, it } from 'vitest';
import { addColumnPlan, parseVersion } from '../../../sinks/clickhouse/dialect.ts';
import { classifyInsertError, serverErrorCode } from '../../../sinks/clickhouse/errors.ts';
import { classifyWriteError } from '../../../sinks/postgres/errors.ts';

const addIngestedAt = { addColumn: { table: 'transactions', column: 'ingested_at', type: 'DateTime' } };

describe('clickhouse dialects', () => {
  it('reads server versions', () => {
    expect(parseVersion('18.16.1')).toMatchObject({ major: 18, minor: 16 });
    expect(parseVersion('25.8.2.29')).toMatchObject({ major: 25, minor: 8 });
    expect(() => parseVersion('unknown')).toThrow(/not a ClickHouse version/);
  });

  it('18.16: checks system.columns, then adds the column plainly', () => {
    const plan = addColumnPlan(parseVersion('18.16.1'), addIngestedAt);
    expect(plan.statement).toBe('ALTER TABLE transactions ADD COLUMN ingested_at DateTime');
    expect(plan.existsQuery).toBe(
      "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'transactions' AND name = 'ingested_at'",
    );
  });

  it('current releases: ADD COLUMN IF NOT EXISTS, nothing to check first', () => {
    const plan = addColumnPlan(parseVersion('25.8.2.29'), addIngestedAt);
    expect(plan).toEqual({
      statement: 'ALTER TABLE transactions ADD COLUMN IF NOT EXISTS ingested_at DateTime',
    });
  });
});

describe('which failures are the rows’ fault', () => {
  it('clickhouse: parse and type errors refuse rows; the server away or a missing table is retried', () => {
    // 18.16 puts the code in the message only; current releases set it on the error as well.
    const parse = new Error(
      "Code: 72, e.displayText() = DB::Exception: Unsigned type must not contain '-' symbol",
    );
    expect(serverErrorCode(parse)).toBe(72);
    expect(classifyInsertError(parse, 't')).toMatchObject({ code: 'SINK_ROW_REJECTED' });
    const current = Object.assign(new Error('Cannot parse input'), {
      code: '27',
      type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
    });
    expect(classifyInsertError(current, 't')).toMatchObject({ code: 'SINK_ROW_REJECTED' });
    const missing = new Error("Code: 60, e.displayText() = DB::Exception: Table x.t doesn't exist.");
    expect(classifyInsertError(missing, 't')).toMatchObject({ code: 'SINK_UNAVAILABLE', retriable: true });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:18123'), {
      code: 'ECONNREFUSED',
    });
    expect(classifyInsertError(refused, 't')).toMatchObject({ code: 'SINK_UNAVAILABLE', retriable: true });
  });

  it('postgres: SQLSTATE classes 22 and 23 refuse rows; everything else is retried, bugs stay bugs', () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
    });
    expect(classifyWriteError(nul)).toMatchObject({ code: 'SINK_ROW_REJECTED' });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(classifyWriteError(shutdown)).toMatchObject({ code: 'SINK_UNAVAILABLE', retriable: true });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyWriteError(refused)).toMatchObject({ code: 'SINK_UNAVAILABLE' });
    const bug = new TypeError('x is undefined');
    expect(classifyWriteError(bug)).toBe(bug);
  });
});
