// Checks a ledger inclusion proof and the signed tree head it is against, with Node alone
// (docs/auditing.md). Usage: node verify-proof.mjs key.json head.json proof.json [leaf.json]
// (the answers of /v1/ledger/key, /head, /proof/inclusion and a leaf from /leaves). Exit 0 = valid.
import { createHash, verify } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';

const [key, head, proof, leaf] = process.argv.slice(2).map((file) => file && JSON.parse(readFileSync(file, 'utf8')));
const sha256 = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
// RFC 8785 for parsed JSON: members sorted by UTF-16 code units, values as JSON.stringify writes them.
const jcs = (v) => (v === null || typeof v !== 'object' ? JSON.stringify(v)
  : Array.isArray(v) ? `[${v.map(jcs).join(',')}]`
  : `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${jcs(v[k])}`).join(',')}}`);
const fail = (why) => { console.error(`NOT VALID: ${why}`); process.exit(1); };

const signed = jcs({ treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp });
if (!verify(null, Buffer.from(signed), key.publicKey, Buffer.from(head.signature, 'base64'))) fail('the head signature');
if (proof.treeSize !== head.treeSize) fail(`the proof is for tree size ${proof.treeSize}, the head for ${head.treeSize}`);
let r = Buffer.from(proof.leafHash, 'hex');
if (leaf && !sha256(Buffer.from([0]), Buffer.from(jcs(leaf))).equals(r)) fail('the leaf does not hash to leafHash');
// RFC 9162 2.1.3.2: fold the audit path from the leaf up to the root.
let fn = proof.leafIndex, sn = proof.treeSize - 1;
for (const p of proof.auditPath.map((h) => Buffer.from(h, 'hex'))) {
  if (sn === 0) fail('the audit path is too long');
  if (fn % 2 === 1 || fn === sn) {
    r = sha256(Buffer.from([1]), p, r);
    while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1; }
  } else r = sha256(Buffer.from([1]), r, p);
  fn >>= 1; sn >>= 1;
}
if (sn !== 0 || r.toString('hex') !== head.rootHash) fail('the audit path does not lead to the head\'s root');
console.log(`valid: leaf ${proof.leafIndex} is in the tree of ${head.treeSize} signed by key ${head.keyId}`);
