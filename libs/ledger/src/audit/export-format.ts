import type { SignedTreeHead } from '../heads/tree-head';
import type { Leaf } from '../leaf/leaf';

// The export file (`export --to FILE`): JSON Lines, one leaf line per event in log order, then
// one head line with the signed head covering exactly those leaves. Each leaf line also carries
// the tree's leaf hash, so an edited line is named by its own line number.

export interface LeafLine {
  index: number;
  leafHash: string;
  leaf: Leaf;
}

export interface HeadLine {
  head: SignedTreeHead;
}
