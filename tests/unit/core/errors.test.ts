import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../core/errors.ts';

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
