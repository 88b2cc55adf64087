import type { Hash } from '../merkle/hashing';
import type { SubtreeSource } from '../merkle/subtree-source';
import type { SignedTreeHead } from '../heads/tree-head';

/** A leaf as the tree keeps it: which event, where in the log, and its hash. */
export interface StoredLeaf {
  index: number;
  eventId: string;
  position: string;
  leafHash: Hash;
}

/**
 * Where the tree and the signed heads live. Synchronous: every implementation is an embedded
 * database (SQLite) whose reads are a few microseconds, which is what keeps a proof at a million
 * events under a millisecond.
 */
export interface LedgerStore extends SubtreeSource {
  /** How many leaves the tree holds. */
  size(): number;
  /** The log position of the last leaf: where the keeper resumes. */
  lastPosition(): string | undefined;
  /** Appends leaves (in log order) and every complete subtree they finish, in one transaction. */
  appendLeaves(leaves: ReadonlyArray<Omit<StoredLeaf, 'index'>>): void;
  /** The root of the tree of its first treeSize leaves (<= size()). */
  root(treeSize?: number): Hash;
  leafIndexOf(eventId: string): number | undefined;
  leaves(fromIndex: number, limit: number): StoredLeaf[];
  /** Sees what another connection (a keeper on another thread) committed since. */
  refresh(): void;
  /** Empties the tree (a rebuild recomputes it); the signed heads stay, they are the record of what was promised. */
  clearTree(): void;

  addHead(head: SignedTreeHead): void;
  latestHead(): SignedTreeHead | undefined;
  /** Heads in tree-size order, from fromTreeSize on. */
  heads(fromTreeSize: number, limit: number): SignedTreeHead[];
  close(): void;
}
