import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import { API_KEYS, MEMORANDUM, TEST_DATABASE_URL, astana, startTestApp } from '../support/app';
import { startServerProcess } from '../support/process';

const ROOT = join(__dirname, '..', '..');

/** The built CLI (`npm test` builds first), as an operator runs it. */
function cli(dataDir: string, ...args: string[]) {
  return cliWith({}, dataDir, ...args);
}

function cliWith(env: Record<string, string>, dataDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/cli/src/main.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, API_KEYS, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function storedEvents(dataDir: string) {
  const store = await SqliteEventStore.open({ file: join(dataDir, 'events.sqlite') });
  try {
    return await store.readAll();
  } finally {
    await store.close();
  }
}

describe('the operator CLI', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'agreements-cli-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('imports the Astana scenario with progress, and a second import appends nothing', async () => {
    const first = cli(dataDir, 'import', 'examples/astana-2017.json', '--actor', 'desk-7');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`[ 1/${astana.steps.length}] OpenProcess on process-astana: stored, revision 0`);
    expect(first.out).toContain(`done in`);
    const events = await storedEvents(dataDir);
    expect(events).toHaveLength(astana.steps.length);
    expect(new Set(events.map((e) => e.metadata.actor))).toEqual(new Set(['desk-7']));

    const again = cli(dataDir, 'import', 'examples/astana-2017.json');
    expect(again.code).toBe(0);
    expect(again.out).toContain(`0 stored, ${astana.steps.length} already recorded`);
    expect(await storedEvents(dataDir)).toHaveLength(astana.steps.length);
  });

  it('stops at the first refused command and says why, having stored only the steps before it', async () => {
    const file = join(dataDir, 'bad.json');
    const open = { type: 'OpenProcess', commandId: randomUUID(), occurredAt: '2020', data: { name: 'A process' } };
    const conclude = { type: 'ConcludeTalks', commandId: randomUUID(), occurredAt: '2020-02', data: { roundId: 'round-1', outcome: 'none' } };
    const after = { type: 'CloseProcess', commandId: randomUUID(), occurredAt: '2020-03', data: {} };
    writeFileSync(
      file,
      JSON.stringify({
        name: 'refused in the middle',
        steps: [open, conclude, after].map((body) => ({ path: '/v1/processes/cli-bad/commands', body })),
      }),
    );
    const r = cli(dataDir, 'import', file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\[2\/3\] ConcludeTalks on process-cli-bad: REFUSED 422 ROUND_NOT_FOUND/);
    expect(r.out).toContain('stopped at step 2');
    expect((await storedEvents(dataDir)).map((e) => e.type)).toEqual(['ProcessOpened']);
  });

  it('refuses a file that is not a scenario, and an unknown command, with a non-zero exit', () => {
    const file = join(dataDir, 'not.json');
    writeFileSync(file, '{"steps": [{"path": "/v2/x", "body": {}}]}');
    const r = cli(dataDir, 'import', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('step 1 needs a path like /v1/agreements/{id}/commands');
    const u = cli(dataDir, 'frobnicate');
    expect(u.code).toBe(2);
    expect(u.err).toContain('unknown command "frobnicate"');
  });

  it('rebuilds the read models from position 0 with progress and a summary, answering as before', async () => {
    expect(cli(dataDir, 'import', 'examples/astana-2017.json').code).toBe(0);
    const before = await startTestApp({ DATA_DIR: dataDir });
    const head = String(await before.runtime.eventStore.headPosition());
    const read = async (app: typeof before) =>
      (await app.api.get(`/v1/agreements/${MEMORANDUM}?asOf=2017-06-01`, { headers: { 'min-position': head } })).json;
    const answer = await read(before);
    await before.close();

    const r = cli(dataDir, 'rebuild');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`rebuilt: ${astana.steps.length} events in [0-9.]+ s \\([0-9]+ events/s\\)`));
    // Progress of each phase (the built CLI folds on its worker threads), and the copy made by SQLite itself.
    expect(r.out).toMatch(new RegExp(`copying: ${astana.steps.length} events of ${astana.steps.length} \\(100\\.0%\\)`));
    expect(r.out).toMatch(/materializing: \d+ streams, \d+ events folded/);
    expect(r.out).toMatch(/indexing/);
    expect(r.out).toMatch(/switching/);
    expect(r.out).toContain('events copied by SQLite from the log');

    const after = await startTestApp({ DATA_DIR: dataDir });
    try {
      expect(await read(after)).toEqual(answer);
    } finally {
      await after.close();
    }
  });

  it('prints the help of one command and exits 0, and answers a usage error with the usage and exit 2', () => {
    const help = cli(dataDir, 'import', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: npm run cli -- import [options] <file>');
    expect(help.out).toContain('--actor <name>');
    expect(help.out).toContain('writes the stores itself');
    const missing = cli(dataDir, 'import');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("missing required argument 'file'");
    expect(missing.err).toContain('Usage: npm run cli -- import');
  });

  it('refuses to import while the server on its DATA_DIR runs on other stores, and imports beside it on the same ones', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir });
    try {
      const refused = cliWith({ DATABASE_URL: TEST_DATABASE_URL }, dataDir, 'import', 'examples/astana-2017.json');
      expect(refused.code).toBe(2);
      expect(refused.err).toContain(`refusing to write: the api server (pid ${server.child.pid}) running on DATA_DIR`);
      expect(refused.err).toContain('read models: the server uses SQLite in');
      expect(await storedEvents(dataDir)).toHaveLength(0);

      const beside = cli(dataDir, 'import', 'examples/astana-2017.json');
      expect(beside.code).toBe(0);
      expect(await storedEvents(dataDir)).toHaveLength(astana.steps.length);
    } finally {
      await server.kill('SIGTERM');
    }
  });
});
