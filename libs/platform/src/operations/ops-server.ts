import { createServer, Server } from 'node:http';
import type { ComponentStatus, HealthRegistry } from './health';
import type { Metrics } from './metrics';

/**
 * /health/live, /health/ready and /metrics without the API, for the processes that have no HTTP
 * API of their own (projector, relay): what an orchestrator and Prometheus need, nothing else.
 */
export interface OperationsOptions {
  /** Readiness answers 503 for these overall statuses (default: down only). */
  unreadyOn?: readonly ComponentStatus[];
  /** More to put in the readiness body beside status and components. */
  readyDetails?: () => Promise<Record<string, unknown>>;
}

/** What /health/ready answers: 503 for the statuses in unreadyOn (default: down), the report and details either way. */
export async function readinessAnswer(health: HealthRegistry, options: OperationsOptions = {}): Promise<{ httpStatus: number; body: Record<string, unknown> }> {
  const report = await health.report();
  const details = options.readyDetails ? await options.readyDetails() : {};
  return { httpStatus: (options.unreadyOn ?? ['down']).includes(report.status) ? 503 : 200, body: { ...report, ...details } };
}

export async function serveOperations(
  health: HealthRegistry,
  metrics: Metrics,
  port: number,
  host: string,
  options: OperationsOptions = {},
): Promise<Server> {
  const json = (status: number, body: unknown) => ({ status, type: 'application/json', body: JSON.stringify(body) });
  const server = createServer((req, res) => {
    const answer = async () => {
      if (req.method !== 'GET') return json(405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'Only GET' } });
      if (req.url === '/health/live') return json(200, { status: 'up' });
      if (req.url === '/health/ready') {
        const ready = await readinessAnswer(health, options);
        return json(ready.httpStatus, ready.body);
      }
      if (req.url === '/metrics') return { status: 200, type: metrics.registry.contentType, body: await metrics.registry.metrics() };
      return json(404, { error: { code: 'NOT_FOUND', message: `No ${req.url}: this process serves /health/live, /health/ready, /metrics` } });
    };
    answer().then(
      (a) => res.writeHead(a.status, { 'content-type': a.type, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }).end(a.body),
      (err) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: String(err) } })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
