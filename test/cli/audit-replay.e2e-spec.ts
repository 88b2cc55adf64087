import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { API_KEYS, MEMORANDUM, astana, startTestApp, type TestApp, TOKENS } from '../support/app';

const ROOT = join(__dirname, '..', '..');

jest.setTimeout(120_000);

/**
 * The built CLI (`npm test` builds first), as an auditor runs it, asynchronously: the server it
 * talks to runs in this test's process and must keep answering meanwhile.
 */
function cli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/cli/src/main.js'), ...args],
      { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, API_KEYS, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 100_000 },
      (error, out, err) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, out, err }),
    );
  });
}

const audit = (t: TestApp, token = TOKENS.auditor) => cli(t.dataDir, ['audit-replay', '--url', t.base, '--token', token]);

describe('audit-replay', () => {
  let work: string;
  beforeAll(() => (work = mkdtempSync(join(tmpdir(), 'agreements-audit-e2e-'))));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('finds no difference after the Astana import and after a rebuild, and reports a read-model row altered by hand', async () => {
    const dataDir = join(work, 'astana');
    let t = await startTestApp({ DATA_DIR: dataDir });
    try {
      const imported = await cli(dataDir, ['import', 'examples/astana-2017.json']);
      expect(imported.code).toBe(0);

      // After the import: equal, with progress on stderr and a summary on stdout
      const first = await audit(t);
      expect({ code: first.code, err: first.err }).toEqual({ code: 0, err: expect.stringContaining(`replayed ${astana.steps.length} events`) });
      expect(first.out).toMatch(/^no difference: \d+ agreements and 1 processes, \d+ views compared up to position \d+\n$/);
      // The memorandum now, its timeline and as of each of its 3 status changes; the process now and as of its status change.
      expect(first.out).toContain('1 agreements and 1 processes, 7 views compared');

      // With a second scenario (late facts, disputes, a party leaving and re-joining): still equal
      expect((await cli(dataDir, ['import', 'examples/jcpoa-paris-2015.json'])).code).toBe(0);
      const both = await audit(t);
      expect({ code: both.code, out: both.out }).toEqual({ code: 0, out: expect.stringMatching(/^no difference: 3 agreements and 1 processes, \d+ views/) });
      await t.close();

      // After a rebuild (the server stopped meanwhile, as an operator does it)
      const rebuilt = await cli(dataDir, ['rebuild']);
      expect(rebuilt.code).toBe(0);
      t = await startTestApp({ DATA_DIR: dataDir });
      const second = await audit(t);
      expect({ code: second.code, out: second.out }).toEqual({ code: 0, out: both.out });

      // A read-model row altered by hand: the memorandum's current view says "expired"
      const db = new Database(join(dataDir, 'read-models.sqlite'));
      try {
        const generation = db.prepare('SELECT active_generation FROM rm_state WHERE id = 1').pluck().get() as number;
        const changed = db
          .prepare(`UPDATE rm_g${generation}_agreements SET view = json_set(view, '$.status', 'expired') WHERE agreement_id = ?`)
          .run(MEMORANDUM);
        expect(changed.changes).toBe(1);
      } finally {
        db.close();
      }
      const served = (await t.api.get(`/v1/agreements/${MEMORANDUM}`)).json;
      expect(served.status).toBe('expired');
      const third = await audit(t);
      expect(third.code).toBe(1);
      expect(third.out).toContain(`agreement-${MEMORANDUM} now: status: expected "in-force", served "expired"\n`);
      expect(third.out).toMatch(/^1 differences in \d+ agreements and 1 processes/m);
    } finally {
      await t.close();
    }
  });

  it('refuses to compare with a server that holds another log (exit 3), and says why the server cannot be asked (exit 2)', async () => {
    const mine = join(work, 'mine');
    const imported = await cli(mine, ['import', 'examples/astana-2017.json']);
    expect(imported.code).toBe(0);
    // Another server, another log: the same scenario imported again records other event ids.
    const other = await startTestApp();
    try {
      expect((await cli(other.dataDir, ['import', 'examples/astana-2017.json'])).code).toBe(0);
      const r = await cli(mine, ['audit-replay', '--url', other.base, '--token', TOKENS.auditor]);
      expect(r.code).toBe(3);
      // (the same event ids: they derive from the scenario's commandIds; recorded at other instants)
      expect(r.err).toMatch(/refusing to compare: the server at http:\/\/127\.0\.0\.1:\d+ has event \S+ recorded at \S+ at position 1, this store's log \S+ recorded at \S+/);
      expect(r.out).toBe('');

      const reader = await cli(other.dataDir, ['audit-replay', '--url', other.base, '--token', TOKENS.reader]);
      expect(reader.code).toBe(2);
      expect(reader.err).toContain('answered 403 (audit-replay needs an auditor token');

      const noToken = await cli(other.dataDir, ['audit-replay', '--url', other.base], { AUDIT_TOKEN: '' });
      expect(noToken.code).toBe(2);
      expect(noToken.err).toContain('audit-replay needs an auditor token: --token or AUDIT_TOKEN');

      const down = await cli(other.dataDir, ['audit-replay', '--url', 'http://127.0.0.1:9', '--token', TOKENS.auditor]);
      expect(down.code).toBe(2);
      expect(down.err).toContain('audit-replay failed: cannot reach http://127.0.0.1:9/v1/events');
    } finally {
      await other.close();
    }
  });
});
