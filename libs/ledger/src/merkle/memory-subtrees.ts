import type { Hash } from './hashing';
import { MerkleFrontier } from './frontier';
import type { SubtreeSource } from './subtree-source';

/** Every complete subtree of a tree held in memory: for tests and for small offline trees. */
export class MemorySubtrees implements SubtreeSource {
  private readonly levels: Hash[][] = [];
  private readonly frontier = new MerkleFrontier();

  static of(leafHashes: Iterable<Hash>): MemorySubtrees {
    const tree = new MemorySubtrees();
    for (const leaf of leafHashes) tree.append(leaf);
    return tree;
  }

  append(leaf: Hash): void {
    this.frontier.append(leaf, ({ level, index, hash }) => {
      (this.levels[level] ??= [])[index] = hash;
    });
  }

  get size(): number {
    return this.frontier.size;
  }

  subtree(level: number, index: number): Hash {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new Error(`no complete subtree at level ${level}, index ${index}`);
    return hash;
  }
}
