import { execFileSync } from 'node:child_process';
import { createHash, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { astana, startTestApp, TOKENS, type TestApp } from '../support/app';

// The ledger's HTTP answers checked from the outside, as an auditor would: the head's signature
// with the served key, every leaf hash from the leaf JSON (with the canonicalize package, not
// the server's code), the root from those hashes, and an inclusion proof with the example
// script docs/auditing.md tells newcomers to use.

const auditor = { token: TOKENS.auditor };
const sha256 = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

describe('the ledger over HTTP (auditor role)', () => {
  let t: TestApp;
  let events: Array<{ eventId: string; position: string }>;
  const work = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));

  beforeAll(async () => {
    t = await startTestApp({ LEDGER_HEAD_INTERVAL_MS: '100' });
    for (const step of astana.steps) {
      const r = await t.api.post(step.path, step.body);
      expect(r.status).toBeLessThan(300);
    }
    events = (await t.api.get('/v1/events?limit=1000', auditor)).json.items;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const head = await t.api.get('/v1/ledger/head', auditor);
      if (head.status === 200 && head.json.treeSize === events.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('serves a head over every event, signed by the served key', async () => {
    const key = (await t.api.get('/v1/ledger/key', auditor)).json;
    const head = (await t.api.get('/v1/ledger/head', auditor)).json;
    expect(key.algorithm).toBe('Ed25519');
    expect(key.keyId).toBe(createHash('sha256').update(Buffer.from(key.publicKey.split('\n').filter((l: string) => l && !l.startsWith('-----')).join(''), 'base64')).digest('hex'));
    expect(head.treeSize).toBe(events.length);
    expect(head.keyId).toBe(key.keyId);
    const signed = Buffer.from(`{"rootHash":"${head.rootHash}","timestamp":"${head.timestamp}","treeSize":${head.treeSize}}`);
    expect(verify(null, signed, key.publicKey, Buffer.from(head.signature, 'base64'))).toBe(true);
    expect(head.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  });

  it('lists leaves whose JSON hashes to their leaf hash, in log order, and whose tree is the head', async () => {
    const head = (await t.api.get('/v1/ledger/head', auditor)).json;
    const hashes: Buffer[] = [];
    let from = 0;
    for (;;) {
      const page = (await t.api.get(`/v1/ledger/leaves?fromIndex=${from}&limit=7`, auditor)).json;
      for (const item of page.items) {
        expect(item.index).toBe(hashes.length);
        expect(item.leaf.eventId).toBe(events[item.index].eventId);
        expect(item.leaf.position).toBe(events[item.index].position);
        expect(item.leaf.metadata.recordedAt).toBeDefined();
        expect(sha256(Buffer.from([0]), Buffer.from(canonicalize(item.leaf) as string)).toString('hex')).toBe(item.leafHash);
        hashes.push(Buffer.from(item.leafHash, 'hex'));
      }
      if (page.nextIndex === null) break;
      from = page.nextIndex;
    }
    expect(hashes.length).toBe(head.treeSize);
    expect(referenceRoot(hashes).toString('hex')).toBe(head.rootHash);
  });

  it('gives an inclusion proof the example script verifies, and that fails for another leaf', async () => {
    const key = (await t.api.get('/v1/ledger/key', auditor)).json;
    const head = (await t.api.get('/v1/ledger/head', auditor)).json;
    const target = events[5];
    const proof = (await t.api.get(`/v1/ledger/proof/inclusion?eventId=${target.eventId}`, auditor)).json;
    const leaf = (await t.api.get('/v1/ledger/leaves?fromIndex=5&limit=1', auditor)).json.items[0].leaf;
    expect(proof.leafIndex).toBe(5);
    const files = { key, head, proof, leaf, other: { ...leaf, revision: leaf.revision + 1 } };
    for (const [name, body] of Object.entries(files)) writeFileSync(join(work, `${name}.json`), JSON.stringify(body));
    const script = join(__dirname, '../../examples/verify-proof.mjs');
    const run = (...args: string[]) => execFileSync(process.execPath, [script, ...args.map((a) => join(work, `${a}.json`))], { encoding: 'utf8', stdio: 'pipe' });
    expect(run('key', 'head', 'proof', 'leaf')).toContain(`valid: leaf 5 is in the tree of ${head.treeSize}`);
    expect(() => run('key', 'head', 'proof', 'other')).toThrow(/does not hash to leafHash/);
    writeFileSync(join(work, 'bent.json'), JSON.stringify({ ...proof, leafIndex: 6 }));
    expect(() => run('key', 'head', 'bent')).toThrow(/NOT VALID/);
  });

  it('gives consistency proofs between signed sizes and refuses sizes beyond the latest head', async () => {
    const head = (await t.api.get('/v1/ledger/head', auditor)).json;
    const proof = await t.api.get(`/v1/ledger/proof/consistency?first=3&second=${head.treeSize}`, auditor);
    expect(proof.status).toBe(200);
    expect(proof.json.first).toBe(3);
    expect(proof.json.path.length).toBeGreaterThan(0);
    const beyond = await t.api.get(`/v1/ledger/proof/consistency?first=1&second=${head.treeSize + 1}`, auditor);
    expect(beyond.status).toBe(400);
    expect(beyond.json.error.code).toBe('VALIDATION_FAILED');
    expect(beyond.json.error.details[0].field).toBe('second');
    const inclusionBeyond = await t.api.get(`/v1/ledger/proof/inclusion?eventId=${events[0].eventId}&treeSize=${head.treeSize + 1}`, auditor);
    expect(inclusionBeyond.status).toBe(400);
  });

  it('answers 404 EVENT_NOT_FOUND for an unknown event, 400 for bad parameters, 403 to a reader', async () => {
    const unknown = await t.api.get('/v1/ledger/proof/inclusion?eventId=00000000-0000-4000-8000-000000000000', auditor);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('EVENT_NOT_FOUND');
    const bad = await t.api.get('/v1/ledger/leaves?fromIndex=-1&limt=3', auditor);
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['fromIndex', 'limt']);
    expect((await t.api.get('/v1/ledger/proof/inclusion', auditor)).status).toBe(400);
    expect((await t.api.get('/v1/ledger/head')).status).toBe(403);
    const heads = (await t.api.get('/v1/ledger/heads?limit=1', auditor)).json;
    expect(heads.items).toHaveLength(1);
    expect(heads.nextCursor === null || Number(heads.nextCursor) > heads.items[0].treeSize).toBe(true);
  });

  it('answers 503 LEDGER_UNAVAILABLE from a process that does not keep the ledger (RUN_LEDGER=false)', async () => {
    const other = await startTestApp({ RUN_LEDGER: 'false' });
    try {
      const r = await other.api.get('/v1/ledger/head', auditor);
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('LEDGER_UNAVAILABLE');
    } finally {
      await other.close();
    }
  });
});
