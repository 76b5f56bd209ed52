import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodeOf, ServiceError, SynfinError } from '../../../core/errors.ts';
import { projectRoot } from '../../../core/paths.ts';
import { InvalidRecordError } from '../../../processors/engine/task.ts';

/** Every TypeScript source of the product (tests, benches and dependencies aside). */
function productSources(dir = projectRoot()): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'tests', 'bench', 'dist', '.git', '.stack', '.scratch'].includes(entry.name) ||
        entry.name.startsWith('.')
        ? []
        : productSources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('the error catalogue', () => {
  it('has no code that nothing raises or answers with', () => {
    const catalogue = path.join(projectRoot(), 'core', 'errors.ts');
    const text = productSources()
      .filter((file) => file !== catalogue)
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(ERROR_CODES.filter((code) => !text.includes(`'${code}'`))).toEqual([]);
  });

  it('names any error by its code, and anything without one by the fallback', () => {
    expect(errorCodeOf(new SynfinError('RUN_NOT_FOUND', 'x'), 'INTERNAL')).toBe('RUN_NOT_FOUND');
    expect(errorCodeOf(new InvalidRecordError('bad'), 'INTERNAL')).toBe('MESSAGE_DECODE_FAILED');
    expect(errorCodeOf(new TypeError('avsc: truncated buffer'), 'MESSAGE_DECODE_FAILED')).toBe(
      'MESSAGE_DECODE_FAILED',
    );
    expect(
      errorCodeOf(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), 'BAD_REQUEST'),
    ).toBe('BAD_REQUEST');
    expect(errorCodeOf(null, 'INTERNAL')).toBe('INTERNAL');
  });
});

describe('ServiceError', () => {
  it("carries the failed tool's own words, so the reason is in the message a user sees", () => {
    const cause = new Error('initdb failed (1):\ninitdb: error: directory "/x" exists but is not empty');
    const error = new ServiceError('SERVICE_START_FAILED', 'postgres', 'initdb failed', {
      cause,
      logFile: '/x/postgres.log',
    });
    expect(error.message).toBe(
      'postgres: initdb failed (log: /x/postgres.log):\ninitdb failed (1):\ninitdb: error: directory "/x" exists but is not empty',
    );
    expect(error.cause).toBe(cause);
    expect(error.details).toMatchObject({ service: 'postgres', logFile: '/x/postgres.log' });
  });

  it('says only what it was told when there is no cause', () => {
    expect(new ServiceError('SERVICE_PORT_IN_USE', 'kafka', 'port 9092 is taken').message).toBe(
      'kafka: port 9092 is taken',
    );
  });
});
