import { join } from 'node:path';
import { WorkerThread } from '@agreements/worker-threads';
import type { HealthRegistry } from './health';
import type { Metrics } from './metrics';
import { type OperationsOptions, readinessAnswer } from './ops-server';
import type { opsThread, OpsSnapshot } from './ops-thread-body';

export interface OpsThreadOptions extends OperationsOptions {
  /** How often the main thread beats (default 100 ms). */
  heartbeatMs?: number;
  /** How often it hands readiness and metrics to the thread (default 1 s). */
  snapshotMs?: number;
  /** Live answers 503 after the main loop was silent this long (default 10 s). */
  stallMs?: number;
  /** Ready answers 503 once the latest snapshot is this old (default 5 s). */
  staleMs?: number;
}

export interface OpsListener {
  port: number;
  close(): Promise<void>;
}

/**
 * /health/* and /metrics on a listener run by a worker thread (the API's OPS_PORT). The main
 * thread beats every heartbeatMs and, every snapshotMs, computes readiness and the metrics text
 * (the only work it does for probes) and hands them over. A probe is then answered by the other
 * thread within a millisecond or so however busy the main loop is, and still tells the truth:
 * a main loop stalled beyond stallMs makes /health/live 503.
 */
export async function serveOperationsOnThread(
  health: HealthRegistry,
  metrics: Metrics,
  port: number,
  host: string,
  options: OpsThreadOptions = {},
): Promise<OpsListener> {
  const heartbeat = new SharedArrayBuffer(8);
  const beat = () => Atomics.store(new BigInt64Array(heartbeat), 0, BigInt(Date.now()));
  beat();
  const thread = WorkerThread.start<typeof opsThread>({
    module: join(__dirname, 'ops-thread-body'),
    export: 'opsThread',
    data: { port, host, heartbeat, stallMs: options.stallMs ?? 10_000, staleMs: options.staleMs ?? 5000 },
    name: 'operations thread',
    unref: true,
  });
  await thread.ready();
  const snapshot = async (): Promise<OpsSnapshot> => {
    const ready = await readinessAnswer(health, options);
    return {
      takenAt: Date.now(),
      ready,
      metrics: { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() },
    };
  };
  const boundPort = await thread.request(await snapshot());
  const beating = setInterval(beat, options.heartbeatMs ?? 100);
  let snapshotting = false;
  const handing = setInterval(() => {
    // One snapshot at a time: a slow one (the main loop is busy) is not stacked up behind.
    if (snapshotting) return;
    snapshotting = true;
    snapshot()
      .then((s) => thread.request(s))
      .catch(() => undefined)
      .finally(() => (snapshotting = false));
  }, options.snapshotMs ?? 1000);
  beating.unref();
  handing.unref();
  return {
    port: boundPort,
    async close() {
      clearInterval(beating);
      clearInterval(handing);
      await thread.stop({ timeoutMs: 5000 });
    },
  };
}
