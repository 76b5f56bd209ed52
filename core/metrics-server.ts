import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** A bare HTTP server for a stage process: `/metrics` for Prometheus, `/health` for probes. */
export function serveMetrics(registry: Registry, port: number): Server {
  return createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(request.url === '/health' ? 200 : 404).end();
      return;
    }
    void registry.metrics().then((body) => {
      response.writeHead(200, { 'content-type': registry.contentType }).end(body);
    });
  }).listen(port);
}
