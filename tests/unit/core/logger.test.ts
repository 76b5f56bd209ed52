import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines that carry the bindings of a child', async () => {
    const { lines, stream } = capture();
    const root = createLogger({ level: 'info', pretty: false }, { service: 'test' }, stream);
    root.child({ stage: 'producer', runId: 'run-1' }).info({ topic: 'transactions' }, 'batch sent');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'test',
      stage: 'producer',
      runId: 'run-1',
      topic: 'transactions',
      msg: 'batch sent',
      level: 30,
    });
  });

  it('never writes a password or a Postgres URL', async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'info', pretty: false }, {}, stream);
    logger.info(
      {
        password: 'hunter2',
        postgres: { url: 'postgres://u:hunter2@db/x' },
        clickhouse: { password: 's3cret' },
        kafka: { sasl: { mechanism: 'plain', username: 'svc', password: 'k4fka' } },
      },
      'connecting',
    );
    logger.info({ config: { kafka: { sasl: { password: 'k4fka' } } } }, 'settings');
    await new Promise((resolve) => setImmediate(resolve));
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('k4fka');
    expect(text).toContain('svc');
    expect(lines[0]?.password).toBe('[redacted]');
  });

  it('drops lines below the configured level', async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'warn', pretty: false }, {}, stream);
    logger.info('quiet');
    logger.warn('loud');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => line.msg)).toEqual(['loud']);
  });
});
