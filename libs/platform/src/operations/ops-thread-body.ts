import { createServer, type Server } from 'node:http';
import { threadBody } from '@agreements/worker-threads';

/**
 * The operations listener on a worker thread of the API process (OPS_PORT): it answers from
 * what the main thread last told it, so a main event loop busy with /v1 work (a burst of large
 * list pages, say) never delays a probe. Liveness is the main loop's heartbeat; readiness and
 * metrics are the main thread's latest snapshot, and a stale one is said to be stale.
 */
export interface OpsThreadData {
  port: number;
  host: string;
  /** One BigInt64 slot: Date.now() of the main thread's latest heartbeat. */
  heartbeat: SharedArrayBuffer;
  /** /health/live answers 503 when the main loop has not beaten for this long. */
  stallMs: number;
  /** /health/ready answers 503 when the latest snapshot is older than this. */
  staleMs: number;
}

export interface OpsSnapshot {
  /** Date.now() on the main thread when it was taken. */
  takenAt: number;
  ready: { httpStatus: number; body: Record<string, unknown> };
  metrics: { contentType: string; text: string };
}

export const opsThread = threadBody({
  ordered: true,
  async open(data: OpsThreadData) {
    const heartbeat = new BigInt64Array(data.heartbeat);
    let latest: OpsSnapshot | undefined;
    const json = (status: number, body: unknown) => ({ status, type: 'application/json', body: JSON.stringify(body) });
    const answer = (method: string | undefined, url: string | undefined) => {
      if (method !== 'GET') return json(405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'Only GET' } });
      const now = Date.now();
      if (url === '/health/live') {
        const silentMs = now - Number(Atomics.load(heartbeat, 0));
        return silentMs > data.stallMs
          ? json(503, { status: 'down', detail: `the main event loop has not run for ${silentMs} ms` })
          : json(200, { status: 'up' });
      }
      const ageMs = latest === undefined ? Number.POSITIVE_INFINITY : now - latest.takenAt;
      if (url === '/health/ready') {
        if (latest === undefined || ageMs > data.staleMs) {
          return json(503, { status: 'down', detail: `no readiness report from the main thread for ${latest === undefined ? 'ever' : `${ageMs} ms`}` });
        }
        return json(latest.ready.httpStatus, { ...latest.ready.body, reportAgeMs: ageMs });
      }
      if (url === '/metrics') {
        if (latest === undefined) return json(503, { error: { code: 'NOT_READY', message: 'no metrics from the main thread yet' } });
        const age = `# HELP agreements_ops_snapshot_age_seconds Age of these metrics (taken by the main thread, served by the operations thread)\n# TYPE agreements_ops_snapshot_age_seconds gauge\nagreements_ops_snapshot_age_seconds ${ageMs / 1000}\n`;
        return { status: 200, type: latest.metrics.contentType, body: latest.metrics.text + age };
      }
      return json(404, { error: { code: 'NOT_FOUND', message: `No ${url}: this listener serves /health/live, /health/ready, /metrics` } });
    };
    const server: Server = createServer((req, res) => {
      const a = answer(req.method, req.url);
      res.writeHead(a.status, { 'content-type': a.type, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }).end(a.body);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(data.port, data.host, resolve);
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : data.port;
    return {
      /** Takes the latest snapshot; answers the port the listener is bound to. */
      handle(snapshot: OpsSnapshot): number {
        latest = snapshot;
        return port;
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
});
