/**
 * kill -9 of the API on EventStoreDB while 30 clients post (the EventStoreDB test server in a
 * process of its own, answering every call 2 ms late as a node across a network would, so the
 * kill lands between the claim of a command and the append of its events now and then). After a
 * restart: no acknowledged command is lost, none is stored twice, an acknowledged command resent
 * is answered as a replay, and the commands the kill cut off, resent, are stored once.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EventStoreDBClient } from '@eventstore/db-client';
import { TOKENS, apiClient } from '../support/app';
import { CrashClientCommands } from '../support/crash-client';
import { startServerProcess } from '../support/process';

const ROOT = join(__dirname, '..', '..');
const CLIENTS = 30;

/** The built test server (`npm run build` first) as its own process; resolves with its connection string. */
async function startEsdbProcess(): Promise<{ connectionString: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(ROOT, 'scripts/register-paths.js'),
      join(ROOT, 'dist/libs/event-store/src/esdb/test-server/main.js'),
      '--port',
      '0',
      '--latency-ms',
      '2',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const connectionString = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /connection string: (\S+)/.exec(line);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the EventStoreDB test server exited with ${code}: ${errors}`)));
  });
  return { connectionString, child };
}

type Sent = { path: string; body: { commandId: string } & Record<string, unknown> };

describe('a crash of the API on EventStoreDB while 30 clients post', () => {
  const dataDirs: string[] = [];
  let esdb: ChildProcess | undefined;
  afterAll(() => {
    esdb?.kill('SIGTERM');
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'agreements-esdb-crash-'));
    dataDirs.push(dir);
    return dir;
  };

  it('loses no acknowledged command, stores none twice, and stores the cut-off ones once when resent', async () => {
    const node = await startEsdbProcess();
    esdb = node.child;
    const env = { EVENTSTORE_CONNECTION_STRING: node.connectionString };
    const server = await startServerProcess({ ...env, DATA_DIR: dataDir() });
    const api = apiClient(server.base);
    const acknowledged = new Map<string, Sent>();
    const cutOff: Sent[] = [];
    let stop = false;

    const client = async (n: number) => {
      const commands = new CrashClientCommands(`esdb-crash-${n}`, n);
      while (!stop) {
        const { path, body } = commands.next();
        try {
          const r = await api.post(path, body);
          if (r.status !== 201) throw new Error(`unexpected ${r.status} ${r.text}`);
          acknowledged.set(body.commandId, { path, body });
          commands.acknowledged();
        } catch (err) {
          // A connection cut by the kill: the outcome of this command is unknown to the client.
          if ((err as Error)?.message === 'fetch failed') {
            cutOff.push({ path, body });
            return;
          }
          throw err;
        }
      }
    };

    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
    await new Promise((r) => setTimeout(r, 3000));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.size).toBeGreaterThan(50);

    // A fresh data dir: the read models are rebuilt from EventStoreDB, which holds every event.
    const restarted = await startServerProcess({ ...env, DATA_DIR: dataDir() });
    try {
      const api2 = apiClient(restarted.base);
      const storedTimes = async () => {
        const seen = new Map<string, number>();
        let from: string | null = '0';
        while (from !== null) {
          const page: any = await api2.get(`/v1/events?limit=1000&fromPosition=${from}`, { token: TOKENS.auditor });
          expect(page.status).toBe(200);
          for (const e of page.json.items) seen.set(e.metadata.commandId, (seen.get(e.metadata.commandId) ?? 0) + 1);
          from = page.json.nextPosition;
        }
        return seen;
      };
      const seen = await storedTimes();
      const missing = [...acknowledged.keys()].filter((id) => !seen.has(id));
      const twice = [...seen.entries()].filter(([, n]) => n !== 1);
      expect({ missing, twice }).toEqual({ missing: [], twice: [] });

      // Acknowledged commands resent after the restart are answered as already done.
      const resent = [...acknowledged.values()].slice(0, 10);
      for (const { path, body } of resent) {
        const again = await api2.post(path, body);
        expect([again.status, again.headers.get('idempotent-replay')]).toEqual([200, 'true']);
      }

      // Where the kill left the cut-off commands: no claim, a claim without events, or stored.
      const raw = EventStoreDBClient.connectionString(node.connectionString);
      const states: Record<string, number> = {};
      for (const { body } of cutOff) {
        let log: string[] = [];
        try {
          for await (const r of raw.readStream(`commandlog-${body.commandId}`)) if (r.event) log.push(r.event.type);
        } catch {
          log = [];
        }
        const state = seen.has(body.commandId) ? 'stored' : log.length > 0 ? `claimed (${log.join(', ')})` : 'not claimed';
        states[state] = (states[state] ?? 0) + 1;
      }
      // The API took the two-round-trip path (a claim, no completion write), not the port's protocol.
      const [firstAcknowledged] = acknowledged.keys();
      const acknowledgedLog: string[] = [];
      for await (const r of raw.readStream(`commandlog-${firstAcknowledged}`)) if (r.event) acknowledgedLog.push(r.event.type);
      expect(acknowledgedLog).toEqual(['$CommandStarted']);
      await raw.dispose();
      console.log(`acknowledged ${acknowledged.size}; cut off by the kill: ${JSON.stringify(states)}`);

      // The commands the kill cut off, resent (twice, concurrently): each is stored once, whether
      // the kill came before its claim, between its claim and its append, or after the append.
      const answers = await Promise.all(cutOff.flatMap((sent) => [sent, sent]).map(({ path, body }) => api2.post(path, body)));
      for (const answer of answers) expect([200, 201]).toContain(answer.status);
      const after = await storedTimes();
      const cutOffStored = cutOff.map(({ body }) => after.get(body.commandId));
      expect(cutOffStored).toEqual(cutOff.map(() => 1));
      expect([...after.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    } finally {
      await restarted.kill('SIGTERM');
    }
  });
});
