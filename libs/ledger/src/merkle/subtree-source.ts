import type { Hash } from './hashing';

/**
 * Where proofs get the hashes of complete subtrees: the 2^level leaves starting at
 * index * 2^level. A store keeps every one of them (a tree of n leaves has fewer than 2n), so
 * any proof is O(log n) look-ups plus the hashing of the tree's ragged right edge.
 */
export interface SubtreeSource {
  /** The hash of the complete subtree (level, index); it must exist. */
  subtree(level: number, index: number): Hash;
}
