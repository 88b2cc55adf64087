import { spawn } from 'node:child_process';
import { HealthRegistry } from './health';
import { Metrics } from './metrics';
import { type OpsListener, serveOperationsOnThread } from './ops-thread';

/**
 * A prober in another process: once started it waits for "go" on its stdin, then GETs the paths,
 * waiting the given ms before each, and prints one line per answer: status, body and Date.now()
 * when it came. `answers` resolves once this thread's loop runs again.
 */
async function startProber(port: number, steps: Array<{ path: string; afterMs?: number }>): Promise<{ go(): void; answers: Promise<string[]> }> {
  const script = `
    const steps = ${JSON.stringify(steps)};
    process.stdout.write('ready\\n');
    process.stdin.once('data', async () => {
      for (const { path, afterMs } of steps) {
        await new Promise((r) => setTimeout(r, afterMs ?? 0));
        const response = await fetch('http://127.0.0.1:${port}' + path);
        console.log(JSON.stringify({ status: response.status, body: await response.text(), at: Date.now() }));
      }
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<void>((resolve) => child.stdout.on('data', (chunk) => ((out += chunk), out.startsWith('ready\n') && resolve())));
  const answers = new Promise<string[]>((resolve) => child.once('exit', () => resolve(out.trim().split('\n').slice(1))));
  await ready;
  return { go: () => child.stdin.write('go\n'), answers };
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** Keeps this thread's event loop busy, as a burst of heavy /v1 requests would. */
function blockMainLoop(ms: number): number {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
  return Date.now();
}

describe('the operations listener on its own thread (OPS_PORT)', () => {
  let ops: OpsListener;
  const health = new HealthRegistry();
  let readiness: 'up' | 'down' = 'up';
  health.register({ name: 'store', check: async () => ({ status: readiness }) });
  const metrics = new Metrics();

  beforeAll(async () => {
    ops = await serveOperationsOnThread(health, metrics, 0, '127.0.0.1', { snapshotMs: 100, stallMs: 2500, staleMs: 5000 });
  });
  afterAll(() => ops.close());

  it('answers live, ready and metrics from what the main thread last handed over', async () => {
    expect(await get(ops.port, '/health/live')).toMatchObject({ status: 200, body: '{"status":"up"}' });
    const ready = await get(ops.port, '/health/ready');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'up', components: { store: { status: 'up' } } });
    const text = (await get(ops.port, '/metrics')).body;
    expect(text).toContain('agreements_process_resident_memory_bytes');
    expect(text).toMatch(/agreements_ops_snapshot_age_seconds [0-9.]+/);
    expect((await get(ops.port, '/nothing')).status).toBe(404);

    readiness = 'down';
    await new Promise((resolve) => setTimeout(resolve, 400));
    const down = await get(ops.port, '/health/ready');
    expect([down.status, JSON.parse(down.body).status]).toEqual([503, 'down']);
    readiness = 'up';
  });

  it('answers while the main event loop is blocked, before it runs again, and says when it has stalled too long', async () => {
    // Two probes from another process while this thread spins for 6 s: one at once, one after
    // 3.5 s (beyond stallMs, 2.5 s: generous, as a busy machine can hold up a healthy loop for
    // most of a second). Each prints the time it got its answer.
    const prober = await startProber(ops.port, [{ path: '/health/live' }, { path: '/health/live', afterMs: 3500 }]);
    prober.go();
    const loopRanAgainAt = blockMainLoop(6000);
    const [first, second] = (await prober.answers).map((line) => JSON.parse(line) as { status: number; body: string; at: number });
    expect(first).toMatchObject({ status: 200, body: '{"status":"up"}' });
    expect(second.status).toBe(503);
    expect(JSON.parse(second.body).detail).toMatch(/^the main event loop has not run for \d+ ms$/);
    // Both were answered while this thread was still blocked.
    expect(first.at).toBeLessThan(loopRanAgainAt);
    expect(second.at).toBeLessThan(loopRanAgainAt);
    // And once the loop runs again, live is up again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await get(ops.port, '/health/live')).status).toBe(200);
  });
});
