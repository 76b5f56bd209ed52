import { describe, expect, it } from 'vitest';
import { stageEnvironment } from '../../../../control-plane/serve.ts';
import { environmentOf } from '../../../../core/config/environment.ts';
import { envOverrides, validateConfig } from '../../../../core/config/load.ts';
import { SINK_NAMES, sinkConnection } from '../../../../sinks/registry.ts';

describe('settings handed on as environment variables', () => {
  it('name each leaf the way the loader reads it back, lists comma-separated', () => {
    expect(environmentOf(['schemaRegistry'], { requestTimeoutMs: 5, url: 'http://r' })).toEqual({
      SYNFIN_SCHEMA_REGISTRY__REQUEST_TIMEOUT_MS: '5',
      SYNFIN_SCHEMA_REGISTRY__URL: 'http://r',
    });
    expect(environmentOf(['kafka'], { brokers: ['a:1', 'b:2'], sasl: { mechanism: 'plain' } })).toEqual({
      SYNFIN_KAFKA__BROKERS: 'a:1,b:2',
      SYNFIN_KAFKA__SASL__MECHANISM: 'plain',
    });
  });

  it("give a run's stages the control plane's services, every sink's connection included", () => {
    const config = validateConfig({
      kafka: { brokers: ['k1:9092', 'k2:9092'], sasl: { mechanism: 'plain', username: 'u', password: 'p' } },
      schemaRegistry: { url: 'http://registry:8081' },
      clickhouse: { url: 'http://ch:8123', database: 'lake', password: 'secret' },
      postgres: { url: 'postgres://a:b@pg:5432/x', poolSize: 3 },
      log: { level: 'warn' },
    });
    const read = validateConfig(envOverrides(stageEnvironment(config)));
    expect(read.kafka).toEqual(config.kafka);
    expect(read.schemaRegistry).toEqual(config.schemaRegistry);
    expect(read.log.level).toBe('warn');
    for (const name of SINK_NAMES)
      expect(sinkConnection(read, name), name).toEqual(sinkConnection(config, name));
  });
});
