import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { type MetricsSnapshot, mergedMetrics } from './stage-threads.ts';

/** What `/ready` reports: ready, or which dependencies failed and why. */
export interface Readiness {
  ready: boolean;
  failed: { name: string; error: string }[];
}

/**
 * A bare HTTP server for a stage process: `/metrics` for Prometheus, `/health` (the process answers)
 * for liveness, `/ready` (its dependencies answer, 503 naming those that do not) for readiness.
 */
export function serveMetrics(
  registry: Registry,
  port: number,
  readiness: () => Promise<Readiness> = async () => ({ ready: true, failed: [] }),
  /** The registries of the process's stage threads, summed with its own on each scrape. */
  threads: Iterable<() => Promise<MetricsSnapshot[]>> = [],
): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      void mergedMetrics(registry, threads).then(
        (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
        () => response.writeHead(500).end(),
      );
    } else if (path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/ready') {
      void readiness().then(
        (report) =>
          response
            .writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify(report)),
        (error: unknown) =>
          response
            .writeHead(503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ ready: false, failed: [{ name: 'readiness', error: String(error) }] })),
      );
    } else {
      response.writeHead(404).end();
    }
  }).listen(port);
}
