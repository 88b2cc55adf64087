import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { verifyExportFile } from '@agreements/ledger';
import { API_KEYS, astana, startTestApp, TOKENS } from '../support/app';
import { commandBody } from '../support/commands';

// The ledger's CLI on real files: `verify` catches a changed byte, a removed event and two
// swapped events in events.sqlite and names the event; once the tree is rebuilt from the changed
// log, a consistency proof from a head signed before the change fails (checked here with the
// RFC's algorithm, not the server's code); an export verifies offline with only the public key
// and fails after any one line is edited.

const ROOT = join(__dirname, '..', '..');
const auditor = { token: TOKENS.auditor };
const sha256 = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

/** The built CLI (`npm test` builds first). */
function cli(env: Record<string, string | undefined>, cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/cli/src/main.js'), ...args], {
    cwd,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const cliOn = (dataDir: string, ...args: string[]) => cli({ DATA_DIR: dataDir, API_KEYS }, ROOT, ...args);

/** RFC 9162 2.1.4.2, written here from the RFC. */
function consistent(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: Buffer[]): boolean {
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (proof.length === 0) return false;
  const path = Number.isInteger(Math.log2(first)) ? [firstRoot, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) [fn, sn] = [fn >> 1, sn >> 1];
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = sha256(Buffer.from([1]), c, fr);
      sr = sha256(Buffer.from([1]), c, sr);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else sr = sha256(Buffer.from([1]), sr, c);
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

interface Head {
  treeSize: number;
  rootHash: string;
}

/** Runs the API on dataDir, records `steps` more commands, waits for a head over every event, stops it. */
async function serve(dataDir: string, extraCommands: number): Promise<{ head: Head; events: Array<{ eventId: string; position: string }> }> {
  const t = await startTestApp({ DATA_DIR: dataDir, LEDGER_HEAD_INTERVAL_MS: '100' });
  try {
    for (let i = 0; i < extraCommands; i += 1) {
      const r = await t.api.post(`/v1/processes/ledger-extra-${i}/commands`, commandBody('OpenProcess', { name: `Extra ${i}` }));
      expect(r.status).toBeLessThan(300);
    }
    const events = (await t.api.get('/v1/events?limit=1000', auditor)).json.items;
    let head: Head | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const r = await t.api.get('/v1/ledger/head', auditor);
      if (r.status === 200 && r.json.treeSize >= events.length) {
        head = r.json;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!head) throw new Error('no head over every event');
    return { head, events };
  } finally {
    await t.close();
  }
}

async function consistencyProof(dataDir: string, first: number, second: number): Promise<Buffer[]> {
  const t = await startTestApp({ DATA_DIR: dataDir, LEDGER_HEAD_INTERVAL_MS: '100' });
  try {
    const r = await t.api.get(`/v1/ledger/proof/consistency?first=${first}&second=${second}`, auditor);
    expect(r.status).toBe(200);
    return r.json.path.map((h: string) => Buffer.from(h, 'hex'));
  } finally {
    await t.close();
  }
}

describe('the ledger CLI: verify, export, tampering', () => {
  let dataDir: string;
  let before: { head: Head; events: Array<{ eventId: string; position: string }> };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
    const t = await startTestApp({ DATA_DIR: dataDir, LEDGER_HEAD_INTERVAL_MS: '100' });
    for (const step of astana.steps) expect((await t.api.post(step.path, step.body)).status).toBeLessThan(300);
    await t.close();
    before = await serve(dataDir, 0);
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const tamperings: Array<[string, (db: Database.Database, events: Array<{ eventId: string; position: string }>) => string, number]> = [
    [
      'one byte of a stored event\'s data changed',
      (db, events) => {
        // A letter of a free-text member (a title or a name), so the changed event still folds.
        const datas = events.map((e) => db.prepare('SELECT data FROM events WHERE position = ?').pluck().get(Number(e.position)) as string);
        const index = datas.findIndex((d, i) => i > 4 && /"(title|name)":"[A-Za-z]/.test(d));
        const target = events[index];
        const data = datas[index];
        const at = data.search(/"(title|name)":"[A-Za-z]/) + data.slice(data.search(/"(title|name)":"[A-Za-z]/)).indexOf(':"') + 2;
        const changed = data.slice(0, at) + (data[at] === 'a' ? 'b' : 'a') + data.slice(at + 1);
        db.prepare('UPDATE events SET data = ? WHERE position = ?').run(changed, Number(target.position));
        return target.eventId;
      },
      2,
    ],
    [
      'an event deleted',
      (db, events) => {
        db.prepare('DELETE FROM events WHERE position = ?').run(Number(events[9].position));
        return events[9].eventId;
      },
      3,
    ],
    [
      'two events swapped',
      (db, events) => {
        const [a, b] = [Number(events[3].position), Number(events[4].position)];
        const row = (p: number) => db.prepare('SELECT stream_id, revision, event_id, type, data, metadata, recorded_at FROM events WHERE position = ?').raw(true).get(p) as unknown[];
        const [ra, rb] = [row(a), row(b)];
        const set = db.prepare('UPDATE events SET stream_id = ?, revision = ?, event_id = ?, type = ?, data = ?, metadata = ?, recorded_at = ? WHERE position = ?');
        db.transaction(() => {
          db.prepare('UPDATE events SET stream_id = ?, revision = -1, event_id = ? WHERE position = ?').run('swap', 'swap', a);
          set.run(...ra, b);
          set.run(...rb, a);
        })();
        return events[3].eventId;
      },
      2,
    ],
  ];

  it.each(tamperings)('%s: verify exits 1 naming the event; after a rebuild, a consistency proof from the earlier head fails', async (_name, tamper, more) => {
    const clean = cliOn(dataDir, 'verify');
    expect(clean.out).toContain(`ok: ${before.head.treeSize} leaves recomputed from the log`);
    expect(clean.code).toBe(0);

    const db = new Database(join(dataDir, 'events.sqlite'));
    const named = tamper(db, before.events);
    db.close();

    const caught = cliOn(dataDir, 'verify');
    expect(caught.code).toBe(1);
    expect(caught.out).toMatch(/^MISMATCH leaf \d+: .*event /m);
    expect(caught.out.split('\n')[0]).toContain(named);

    // Whoever changed the log rebuilds the tree from it, and the server signs new heads over it.
    expect(cliOn(dataDir, 'rebuild').code).toBe(0);
    const after = await serve(dataDir, more);
    expect(after.head.treeSize).toBeGreaterThan(before.head.treeSize);
    const proof = await consistencyProof(dataDir, before.head.treeSize, after.head.treeSize);
    expect(consistent(before.head.treeSize, after.head.treeSize, Buffer.from(before.head.rootHash, 'hex'), Buffer.from(after.head.rootHash, 'hex'), proof)).toBe(false);
    const rebuilt = cliOn(dataDir, 'verify');
    expect(rebuilt.code).toBe(1);
    expect(rebuilt.out).toContain(`MISMATCH head of tree size ${before.head.treeSize}`);
  });

  it('export, then verify FILE in another directory with only the public key; any one line edited fails', async () => {
    const file = join(dataDir, 'ledger.jsonl');
    const exported = cliOn(dataDir, 'export', '--to', file);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain(`exported ${before.head.treeSize} leaves`);

    const elsewhere = mkdtempSync(join(tmpdir(), 'ledger-auditor-'));
    try {
      const t = await startTestApp({ DATA_DIR: dataDir });
      const key = (await t.api.get('/v1/ledger/key', auditor)).json;
      await t.close();
      writeFileSync(join(elsewhere, 'key.pem'), key.publicKey);
      copyFileSync(file, join(elsewhere, 'ledger.jsonl'));
      const offline = cli({}, elsewhere, 'verify', 'ledger.jsonl', '--key', 'key.pem');
      expect(offline.out).toContain(`ok: ${before.head.treeSize} leaves, root ${before.head.rootHash}`);
      expect(offline.code).toBe(0);

      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(before.head.treeSize + 1);
      for (let i = 0; i < lines.length; i += 1) {
        // One character changed in the middle of the line, the JSON still well-formed.
        const middle = Math.floor(lines[i].length / 2);
        const at = middle + lines[i].slice(middle).search(/[a-zA-Z0-9]/);
        const c = lines[i][at];
        const edited = lines[i].slice(0, at) + (c === '1' ? '2' : /\d/.test(c) ? '1' : c === 'a' ? 'b' : 'a') + lines[i].slice(at + 1);
        const copy = [...lines];
        copy[i] = edited;
        writeFileSync(join(elsewhere, 'edited.jsonl'), copy.join('\n') + '\n');
        const verdict = await verifyExportFile(join(elsewhere, 'edited.jsonl'), key.publicKey);
        expect({ line: i + 1, ok: verdict.ok }).toEqual({ line: i + 1, ok: false });
        if (!verdict.ok) expect(verdict.line).toBe(i + 1);
        if (i === 4 || i === lines.length - 1) {
          const run = cli({}, elsewhere, 'verify', 'edited.jsonl', '--key', 'key.pem');
          expect(run.code).toBe(1);
          expect(run.out).toContain(`MISMATCH at line ${i + 1}`);
        }
      }
      const usage = cli({}, elsewhere, 'verify', 'ledger.jsonl');
      expect(usage.code).toBe(2);
      expect(usage.err).toContain('--key');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
