import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.ts';
import { parseSinkConfig, routesOf, runTopics } from '../../../sinks/config.ts';
import { Batcher } from '../../../sinks/engine/batcher.ts';
import { records } from '../../fixtures/memory-sink.ts';

describe('batches', () => {
  it('are full by rows or by bytes, and due by the age of their oldest record', () => {
    const [a, b, c] = records('t', 1, 3);
    const byRows = new Batcher({ maxRows: 2, maxBytes: 1e9, maxWaitMs: 1000 });
    byRows.add(a as never, 0);
    expect(byRows.full).toBe(false);
    expect(byRows.due(999)).toBe(false);
    expect(byRows.due(1000)).toBe(true);
    byRows.add(b as never, 500);
    expect(byRows.full).toBe(true);
    expect(byRows.take()).toHaveLength(2);
    expect(byRows.size).toBe(0);
    expect(byRows.due(10_000)).toBe(false);
    const byBytes = new Batcher({ maxRows: 100, maxBytes: 150, maxWaitMs: 1000 });
    byBytes.add(c as never, 0);
    expect(byBytes.full).toBe(false);
    byBytes.add(a as never, 0);
    expect(byBytes.full).toBe(true);
  });
});

describe('sink settings', () => {
  it('route each configured kind from its topic', () => {
    const config = parseSinkConfig({ topics: runTopics('run7', 'app') });
    expect([...routesOf(config, 'postgres')]).toEqual([
      ['run7.customers', 'customers'],
      ['run7.merchants', 'merchants'],
      ['run7.labels', 'labels'],
    ]);
    expect(routesOf(config, 'clickhouse').get('app.dlq')).toBe('deadLetters');
  });

  it('refuse bad values naming the field', () => {
    const issues = (() => {
      try {
        parseSinkConfig({
          sinks: ['mysql'],
          batch: { maxRows: 0 },
          postgres: { kinds: ['transactions'] },
          extra: 1,
        });
      } catch (error) {
        if (error instanceof ConfigError) return error.issues.map((i) => i.path);
      }
      return [];
    })();
    expect(issues).toEqual(
      expect.arrayContaining(['/sinks/0', '/batch/maxRows', '/postgres/kinds/0', '/extra']),
    );
  });
});
