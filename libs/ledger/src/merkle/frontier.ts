import { EMPTY_ROOT, type Hash, nodeHash } from './hashing';

/** A complete subtree: the 2^level leaves from index * 2^level. */
export interface CompleteSubtree {
  level: number;
  index: number;
  hash: Hash;
}

/**
 * The right edge of a growing tree: one complete subtree per 1 bit of the leaf count, largest
 * first. Appending a leaf merges equal neighbours (a carry in binary addition) and reports every
 * subtree it completed, which is what the store keeps; the root folds the edge right to left.
 * It holds O(log n) hashes, so the keeper and the verifiers stream any number of leaves.
 */
export class MerkleFrontier {
  private readonly edge: CompleteSubtree[] = [];
  private count = 0;

  /** Continues a tree from its stored right edge (largest subtree first). */
  static resume(size: number, edge: CompleteSubtree[]): MerkleFrontier {
    const frontier = new MerkleFrontier();
    frontier.count = size;
    frontier.edge.push(...edge);
    return frontier;
  }

  /** The right-edge subtrees a tree of `size` leaves is made of: which (level, index) to load to resume it. */
  static edgeOf(size: number): Array<{ level: number; index: number }> {
    const parts: Array<{ level: number; index: number }> = [];
    let start = 0;
    for (let level = 52; level >= 0; level -= 1) {
      const width = 2 ** level;
      if (size - start >= width) {
        parts.push({ level, index: start / width });
        start += width;
      }
    }
    return parts;
  }

  get size(): number {
    return this.count;
  }

  /** Adds a leaf; calls `completed` for the leaf and every subtree it completed, smallest first. */
  append(leaf: Hash, completed?: (subtree: CompleteSubtree) => void): void {
    let node: CompleteSubtree = { level: 0, index: this.count, hash: leaf };
    completed?.(node);
    while (this.edge.length > 0 && this.edge[this.edge.length - 1].level === node.level) {
      const left = this.edge.pop() as CompleteSubtree;
      node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
      completed?.(node);
    }
    this.edge.push(node);
    this.count += 1;
  }

  root(): Hash {
    if (this.edge.length === 0) return EMPTY_ROOT;
    let hash = this.edge[this.edge.length - 1].hash;
    for (let i = this.edge.length - 2; i >= 0; i -= 1) hash = nodeHash(this.edge[i].hash, hash);
    return hash;
  }

  /** A copy of the right edge, largest subtree first. */
  edgeSubtrees(): CompleteSubtree[] {
    return this.edge.map((s) => ({ ...s }));
  }
}
