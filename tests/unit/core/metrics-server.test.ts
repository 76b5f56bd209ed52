import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../core/metrics.ts';
import { type Readiness, serveMetrics } from '../../../core/metrics-server.ts';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function start(readiness?: () => Promise<Readiness>): Promise<string> {
  const registry = createMetricsRegistry({ defaultMetrics: false, labels: { run_id: 'r-7' } });
  new Counter({ name: 'synfin_test_things_total', help: 'things', registers: [registry] }).inc(3);
  const server = serveMetrics(registry, 0, readiness);
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('stage metrics server', () => {
  it('serves the registry on /metrics with the run id on every series', async () => {
    const base = await start();
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('synfin_test_things_total{run_id="r-7"} 3');
  });

  it('answers /health while the process is up, whatever its dependencies say', async () => {
    const base = await start(async () => ({ ready: false, failed: [{ name: 'kafka', error: 'down' }] }));
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('answers /ready 200 when every dependency answers and 503 naming those that do not', async () => {
    let report: Readiness = { ready: true, failed: [] };
    const base = await start(async () => report);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    report = { ready: false, failed: [{ name: 'postgres', error: 'connect ECONNREFUSED' }] };
    const failing = await fetch(`${base}/ready`);
    expect(failing.status).toBe(503);
    expect(await failing.json()).toEqual(report);
  });

  it('reports a readiness check that throws as not ready, and unknown paths as 404', async () => {
    const base = await start(async () => {
      throw new Error('probe crashed');
    });
    const response = await fetch(`${base}/ready`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('probe crashed');
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });
});
