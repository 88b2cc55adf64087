import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKENS, apiClient } from '../support/app';
import { CrashClientCommands } from '../support/crash-client';
import { startServerProcess } from '../support/process';

describe('a crash while 50 clients post', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agreements-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('loses no acknowledged command and stores none twice after kill -9 and restart', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir });
    const api = apiClient(server.base);
    const acknowledged = new Map<string, { path: string; body: unknown; status: number }>();
    let stop = false;

    const client = async (n: number) => {
      const commands = new CrashClientCommands(`crash-test-${n}`, n);
      while (!stop) {
        const { path, body } = commands.next();
        try {
          const r = await api.post(path, body);
          if (r.status === 201 || r.status === 200) {
            acknowledged.set(body.commandId, { path, body, status: r.status });
            commands.acknowledged();
          } else {
            throw new Error(`unexpected ${r.status} ${r.text}`);
          }
        } catch (err) {
          // A connection cut by the kill: the outcome of this command is unknown to the client.
          // (fetch's TypeError comes from Node's realm, not the test's, so match it by message.)
          if ((err as Error)?.message === 'fetch failed') return;
          throw err;
        }
      }
    };

    const clients = Array.from({ length: 50 }, (_, n) => client(n));
    await new Promise((r) => setTimeout(r, 2000));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.size).toBeGreaterThan(100);

    const restarted = await startServerProcess({ DATA_DIR: dataDir });
    try {
      const api2 = apiClient(restarted.base);
      const seen = new Map<string, number>();
      let from: string | null = '0';
      while (from !== null) {
        const page: any = await api2.get(`/v1/events?limit=1000&fromPosition=${from}`, { token: TOKENS.auditor });
        expect(page.status).toBe(200);
        for (const e of page.json.items) seen.set(e.metadata.commandId, (seen.get(e.metadata.commandId) ?? 0) + 1);
        from = page.json.nextPosition;
      }
      const missing = [...acknowledged.keys()].filter((id) => !seen.has(id));
      const twice = [...seen.entries()].filter(([, n]) => n !== 1);
      expect({ missing, twice }).toEqual({ missing: [], twice: [] });

      // A client that resends an acknowledged command after the restart is told it is already done.
      const [commandId, sample] = [...acknowledged.entries()][0];
      const again = await api2.post(sample.path, sample.body);
      expect([again.status, again.headers.get('idempotent-replay')]).toEqual([200, 'true']);
      expect(commandId).toBeDefined();
    } finally {
      await restarted.kill('SIGTERM');
    }
  });
});
