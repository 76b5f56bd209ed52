import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, kafkaClientMetrics } from '../../../core/metrics.ts';

describe('metrics', () => {
  it('names every metric synfin_<stage>_<thing>_<unit> in a registry of its own', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const metrics = kafkaClientMetrics(registry);
    metrics.messagesProduced.inc({ topic: 'transactions' }, 3);
    const json = await registry.getMetricsAsJSON();
    for (const metric of json) expect(metric.name).toMatch(/^synfin_[a-z]+_[a-z_]+_(total|seconds|bytes)$/);
    const produced = json.find((metric) => metric.name === 'synfin_kafka_messages_produced_total');
    expect(produced?.values).toEqual([{ labels: { topic: 'transactions' }, value: 3 }]);
  });

  it('adds the default process metrics with the synfin_ prefix when asked', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: true });
    const names = (await registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names).toContain('synfin_process_resident_memory_bytes');
  });
});
