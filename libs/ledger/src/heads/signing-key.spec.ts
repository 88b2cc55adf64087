import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSigningKey } from './signing-key';
import { headSignatureValid, signHead } from './tree-head';

describe('the head-signing key and signed heads', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once into DATA_DIR with mode 0600, then the same key is loaded; keyId is the SHA-256 of its SPKI DER', () => {
    const first = loadSigningKey({ dataDir: dir });
    const file = join(dir, 'ledger-key.pem');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadSigningKey({ dataDir: dir });
    expect(again.keyId).toBe(first.keyId);
    const der = createPublicKey(first.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(first.keyId).toBe(createHash('sha256').update(der).digest('hex'));
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PRIVATE KEY');
  });

  it('uses a configured key file, refuses a missing one, and does not create one when told not to', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = join(dir, 'mine.pem');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const key = loadSigningKey({ dataDir: dir, keyFile: file });
    expect(key.publicKeyPem).toBe(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }));
    expect(() => loadSigningKey({ dataDir: dir, keyFile: join(dir, 'absent.pem') })).toThrow('does not exist');
    expect(() => loadSigningKey({ dataDir: join(dir, 'empty'), create: false })).toThrow('no ledger key');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    writeFileSync(join(dir, 'rsa.pem'), rsa.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => loadSigningKey({ dataDir: dir, keyFile: join(dir, 'rsa.pem') })).toThrow('Ed25519');
  });

  it('signs the JCS bytes of { treeSize, rootHash, timestamp } and nothing else', () => {
    const key = loadSigningKey({ dataDir: dir });
    const head = signHead({ treeSize: 3, rootHash: 'ab'.repeat(32), timestamp: '2026-11-29T20:00:00.000Z' }, key.privateKey, key.keyId);
    const bytes = Buffer.from(`{"rootHash":"${'ab'.repeat(32)}","timestamp":"2026-11-29T20:00:00.000Z","treeSize":3}`);
    expect(verify(null, bytes, key.publicKey, Buffer.from(head.signature, 'base64'))).toBe(true);
    expect(headSignatureValid(head, key.publicKeyPem)).toBe(true);
    expect(headSignatureValid({ ...head, treeSize: 4 }, key.publicKeyPem)).toBe(false);
    expect(headSignatureValid({ ...head, signature: 'not base64 at all' }, key.publicKeyPem)).toBe(false);
  });
});
