import type { EventStore } from '@agreements/event-store';
import type { SignedTreeHead } from '../heads/tree-head';
import { logBatches } from '../keeper/log-batches';
import { leafOf } from '../leaf/leaf';
import { toHex } from '../merkle/hashing';
import type { LedgerStore } from '../store/ledger-store.port';
import type { HeadLine, LeafLine } from './export-format';

const BATCH = 5000;

/**
 * Writes the leaves a signed head covers, each from the event store as it is now with the tree's
 * leaf hash, then the head. A log changed since the tree was built gives lines that fail `verify FILE`.
 */
export async function exportLedger(options: {
  eventStore: Pick<EventStore, 'readAll' | 'fastLog'>;
  store: LedgerStore;
  head: SignedTreeHead;
  write: (line: string) => Promise<void> | void;
  onProgress?: (written: number, total: number) => void;
}): Promise<number> {
  const { store, head, write } = options;
  const batches = logBatches(options.eventStore);
  try {
    let index = 0;
    let position: string | undefined;
    while (index < head.treeSize) {
      const leaves = store.leaves(index, Math.min(BATCH, head.treeSize - index));
      const events = await batches.after(position, leaves.length);
      if (events.length === 0) throw new Error(`the log ends before leaf ${index}: ${head.treeSize - index} events of the head are missing`);
      let chunk = '';
      for (let i = 0; i < events.length && i < leaves.length; i += 1) {
        const line: LeafLine = { index: leaves[i].index, leafHash: toHex(leaves[i].leafHash), leaf: leafOf(events.event(i)) };
        chunk += JSON.stringify(line) + '\n';
      }
      await write(chunk);
      index += Math.min(events.length, leaves.length);
      position = events.position(Math.min(events.length, leaves.length) - 1);
      options.onProgress?.(index, head.treeSize);
    }
    const last: HeadLine = { head };
    await write(JSON.stringify(last) + '\n');
    return index;
  } finally {
    await batches.close();
  }
}
