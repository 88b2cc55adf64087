import { EMPTY_ROOT, type Hash, nodeHash, splitPoint } from './hashing';
import type { SubtreeSource } from './subtree-source';

// RFC 9162 sections 2.1.1, 2.1.3 and 2.1.4 over stored complete subtrees. Every range the
// recursions below visit starts at a multiple of its own split point, so its left part is a
// complete, aligned subtree (one look-up) and only the right edge is hashed here.

/** MTH(D[start : start + size]) for a range the RFC's recursion visits (start aligned to its largest power of two). */
export function rangeHash(source: SubtreeSource, start: number, size: number): Hash {
  if (size === 0) return EMPTY_ROOT;
  if ((size & (size - 1)) === 0) {
    const level = Math.log2(size);
    return source.subtree(level, start / size);
  }
  const k = splitPoint(size);
  return nodeHash(rangeHash(source, start, k), rangeHash(source, start + k, size - k));
}

export function rootHash(source: SubtreeSource, treeSize: number): Hash {
  return rangeHash(source, 0, treeSize);
}

/** PATH(m, D[n]) of RFC 9162 2.1.3.1: the audit path of leaf m in the tree of the first n leaves. */
export function inclusionPath(source: SubtreeSource, leafIndex: number, treeSize: number): Hash[] {
  if (!(Number.isSafeInteger(leafIndex) && Number.isSafeInteger(treeSize) && leafIndex >= 0 && leafIndex < treeSize)) {
    throw new RangeError(`leaf ${leafIndex} is not in a tree of ${treeSize}`);
  }
  const path: Hash[] = [];
  // Iterative form of PATH: descend from the whole tree, collecting siblings, then reverse
  // (the RFC lists the path from the leaf upwards).
  let start = 0;
  let size = treeSize;
  let m = leafIndex;
  while (size > 1) {
    const k = splitPoint(size);
    if (m < k) {
      path.push(rangeHash(source, start + k, size - k));
      size = k;
    } else {
      path.push(rangeHash(source, start, k));
      start += k;
      m -= k;
      size -= k;
    }
  }
  return path.reverse();
}

/** PROOF(m, D[n]) of RFC 9162 2.1.4.1: proves the tree of m leaves is a prefix of the tree of n. */
export function consistencyPath(source: SubtreeSource, first: number, second: number): Hash[] {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second)) {
    throw new RangeError(`no consistency proof from ${first} to ${second}`);
  }
  if (first === 0 || first === second) return [];
  return subproof(source, first, 0, second, true);
}

/** SUBPROOF(m, D[start : start + n], b). */
function subproof(source: SubtreeSource, m: number, start: number, n: number, whole: boolean): Hash[] {
  if (m === n) return whole ? [] : [rangeHash(source, start, n)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(source, m, start, k, whole), rangeHash(source, start + k, n - k)];
  return [...subproof(source, m - k, start + k, n - k, false), rangeHash(source, start, k)];
}
