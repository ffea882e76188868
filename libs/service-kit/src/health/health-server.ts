import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceHealth } from './health-registry';
import { serviceMetrics } from './service-metrics';

/**
 * GET /healthz answers while the process lives; GET /readyz runs the
 * readiness checks and answers 503 naming the first failing one; GET /metrics
 * gives the process's Prometheus metrics (service-metrics.ts).
 */
export async function startHealthServer(
  health: ServiceHealth,
  port: number,
  host: string,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'method not allowed' });
    if (path === '/healthz' || path === '/livez') return reply(200, { status: 'ok' });
    if (path === '/metrics') {
      const metrics = serviceMetrics();
      metrics
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(text);
        })
        .catch((err: Error) => reply(500, { error: err.message }));
      return;
    }
    if (path === '/readyz') {
      health
        .readiness()
        .then((r) => reply(r.ready ? 200 : 503, r.ready ? { status: 'ready' } : { status: 'not ready', ...r }))
        .catch((err: Error) => reply(503, { status: 'not ready', error: err.message }));
      return;
    }
    reply(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export function closeHealthServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
