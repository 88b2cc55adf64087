import { createHash } from 'node:crypto';
import { EMPTY_ROOT, leafHash, nodeHash } from './hashing';
import { MerkleFrontier } from './frontier';
import { MemorySubtrees } from './memory-subtrees';
import { consistencyPath, inclusionPath, rootHash } from './proofs';
import * as lib from './verification';

// An independent check of the tree code: the RFC 9162 verification algorithms (2.1.3.2 and
// 2.1.4.2) and the recursive definition of MTH (2.1.1), written here from the RFC's text, with
// plain Buffers and no code from this lib but the two hash primitives, which the Certificate
// Transparency vectors pin down.

const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const hex = (b: Buffer) => b.toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

/** MTH(D[n]) straight from 2.1.1. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** 2.1.3.2: verifying an inclusion proof. */
function verifyInclusion(leafIndex: number, treeSize: number, leaf: Buffer, path: Buffer[], root: Buffer): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.from([1]), p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = sha256(Buffer.from([1]), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** 2.1.4.2: verifying a consistency proof (first < second, first > 0). */
function verifyConsistency(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: Buffer[]): boolean {
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (proof.length === 0) return false;
  let path = proof;
  if ((first & (first - 1)) === 0) path = [firstRoot, ...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = sha256(Buffer.from([1]), c, fr);
      sr = sha256(Buffer.from([1]), c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = sha256(Buffer.from([1]), sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

// Certificate Transparency's reference inputs and roots (RFC 6962 test data, the same hashing as RFC 9162).
const CT_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const leavesFor = (n: number, salt = 'leaf') =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`${salt}-${i}`)));

describe('RFC 9162 hashing and proofs', () => {
  const ctLeaves = CT_INPUTS.map((b) => leafHash(b));

  it('matches the Certificate Transparency roots for sizes 0..8, from stored subtrees and from the frontier', () => {
    expect(hex(EMPTY_ROOT)).toBe(CT_ROOTS[0]);
    const tree = MemorySubtrees.of(ctLeaves);
    const frontier = new MerkleFrontier();
    expect(hex(frontier.root())).toBe(CT_ROOTS[0]);
    for (let n = 1; n <= 8; n += 1) {
      frontier.append(ctLeaves[n - 1]);
      expect(hex(rootHash(tree, n))).toBe(CT_ROOTS[n]);
      expect(hex(frontier.root())).toBe(CT_ROOTS[n]);
    }
  });

  it('gives the Certificate Transparency inclusion and consistency proofs', () => {
    const tree = MemorySubtrees.of(ctLeaves);
    expect(inclusionPath(tree, 0, 8).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(inclusionPath(tree, 5, 8).map(hex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(consistencyPath(tree, 2, 8).map(hex)).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(consistencyPath(tree, 6, 8).map(hex)).toEqual([
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('node hashes prefix 0x01 and leaf hashes 0x00', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    expect(nodeHash(a, b).equals(sha256(Buffer.from([1]), a, b))).toBe(true);
    expect(leafHash(a).equals(sha256(Buffer.from([0]), a))).toBe(true);
  });

  it('every inclusion proof and every consistency proof verifies independently for every tree size 1..300', () => {
    const leaves = leavesFor(300);
    const tree = MemorySubtrees.of(leaves);
    const roots = [EMPTY_ROOT, ...leaves.map((_, i) => referenceRoot(leaves.slice(0, i + 1)))];
    let inclusions = 0;
    let consistencies = 0;
    for (let n = 1; n <= 300; n += 1) {
      expect(rootHash(tree, n).equals(roots[n])).toBe(true);
      for (let m = 0; m < n; m += 1) {
        const path = inclusionPath(tree, m, n);
        if (!verifyInclusion(m, n, leaves[m], path, roots[n])) throw new Error(`inclusion of ${m} in ${n} failed`);
        inclusions += 1;
      }
      for (let first = 1; first < n; first += 1) {
        const proof = consistencyPath(tree, first, n);
        if (!verifyConsistency(first, n, roots[first], roots[n], proof)) throw new Error(`consistency ${first} -> ${n} failed`);
        consistencies += 1;
      }
    }
    expect(inclusions).toBe((300 * 301) / 2);
    expect(consistencies).toBe((299 * 300) / 2);
  });

  it('a proof fails for another leaf, a changed path, or another root', () => {
    const leaves = leavesFor(77);
    const tree = MemorySubtrees.of(leaves);
    const root = rootHash(tree, 77);
    const path = inclusionPath(tree, 40, 77);
    expect(verifyInclusion(40, 77, leaves[40], path, root)).toBe(true);
    expect(verifyInclusion(40, 77, leaves[41], path, root)).toBe(false);
    expect(verifyInclusion(41, 77, leaves[40], path, root)).toBe(false);
    const bent = path.map((h) => Buffer.from(h));
    bent[2][0] ^= 1;
    expect(verifyInclusion(40, 77, leaves[40], bent, root)).toBe(false);
    expect(verifyInclusion(40, 77, leaves[40], path.slice(1), root)).toBe(false);
    // A tree that differs in one early leaf is not consistent with the first.
    const other = MemorySubtrees.of(leaves.map((l, i) => (i === 3 ? leafHash(Buffer.from('changed')) : l)));
    const proof = consistencyPath(tree, 20, 77);
    expect(verifyConsistency(20, 77, rootHash(tree, 20), root, proof)).toBe(true);
    expect(verifyConsistency(20, 77, rootHash(other, 20), root, proof)).toBe(false);
    expect(verifyConsistency(20, 77, rootHash(tree, 20), rootHash(other, 77), consistencyPath(other, 20, 77))).toBe(false);
  });

  it('verifies sampled proofs independently for random sizes up to 100,000', () => {
    const leaves = leavesFor(100_000, 'big');
    const tree = MemorySubtrees.of(leaves);
    // A seeded generator: the same sizes on every run.
    let seed = 12345;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const sizes = [100_000, 65_536, 65_537, 99_999, ...Array.from({ length: 8 }, () => 1 + random(100_000))];
    for (const n of sizes) {
      const root = referenceRoot(leaves.slice(0, n));
      expect(rootHash(tree, n).equals(root)).toBe(true);
      for (const m of [0, n - 1, ...Array.from({ length: 40 }, () => random(n))]) {
        if (!verifyInclusion(m, n, leaves[m], inclusionPath(tree, m, n), root)) throw new Error(`inclusion of ${m} in ${n}`);
      }
      for (const first of [1, n - 1, ...Array.from({ length: 10 }, () => 1 + random(n - 1))]) {
        if (first >= n) continue;
        const firstRoot = rootHash(tree, first);
        if (!verifyConsistency(first, n, firstRoot, root, consistencyPath(tree, first, n))) throw new Error(`consistency ${first} -> ${n}`);
      }
    }
  });

  it('refuses proofs outside the tree', () => {
    const tree = MemorySubtrees.of(leavesFor(5));
    expect(() => inclusionPath(tree, 5, 5)).toThrow(RangeError);
    expect(() => consistencyPath(tree, 4, 3)).toThrow(RangeError);
    expect(consistencyPath(tree, 0, 5)).toEqual([]);
    expect(consistencyPath(tree, 5, 5)).toEqual([]);
  });

  it("the lib's own verifiers (used by `verify`) accept every proof for sizes 1..64 and refuse bent ones", () => {
    const leaves = leavesFor(64, 'lib');
    const tree = MemorySubtrees.of(leaves);
    for (let n = 1; n <= 64; n += 1) {
      const root = rootHash(tree, n);
      for (let m = 0; m < n; m += 1) {
        const path = inclusionPath(tree, m, n);
        expect(lib.verifyInclusion(m, n, leaves[m], path, root)).toBe(true);
        if (path.length > 0) {
          const bent = path.map((h) => Buffer.from(h));
          bent[0][5] ^= 0x40;
          expect(lib.verifyInclusion(m, n, leaves[m], bent, root)).toBe(false);
        }
        expect(lib.verifyInclusion(m, n, leafHash(Buffer.from('other')), path, root)).toBe(false);
      }
      for (let first = 0; first <= n; first += 1) {
        const proof = consistencyPath(tree, first, n);
        expect(lib.verifyConsistency(first, n, rootHash(tree, first), root, proof)).toBe(true);
        if (first > 0 && first < n) expect(lib.verifyConsistency(first, n, leafHash(Buffer.from('x')), root, proof)).toBe(false);
      }
    }
  });
});
