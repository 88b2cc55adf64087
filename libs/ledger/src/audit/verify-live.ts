import type { EventStore } from '@agreements/event-store';
import { headSignatureValid, type SignedTreeHead } from '../heads/tree-head';
import { logBatches } from '../keeper/log-batches';
import { hashLeaf, leafOf } from '../leaf/leaf';
import { fromHex } from '../merkle/hashing';
import { consistencyPath, rootHash } from '../merkle/proofs';
import { verifyConsistency } from '../merkle/verification';
import type { SigningKey } from '../heads/signing-key';
import type { LedgerStore } from '../store/ledger-store.port';

export interface LiveVerdict {
  ok: boolean;
  /** Leaves recomputed from the log and found equal to the tree's. */
  leavesChecked: number;
  headsChecked: number;
  /** Events in the log the tree does not hold yet (the keeper is behind): not a failure. */
  eventsBeyondTree: number;
  /** What differs, the first difference of the log first. */
  failures: string[];
}

const BATCH = 5000;

/**
 * `verify` on the live store. Two links of the chain log -> tree -> heads:
 * - every leaf recomputed from the event store as it is now against the tree's (a changed byte,
 *   a removed or re-ordered event: the first one named, then the check of leaves stops);
 * - every stored head against the tree's root at its size and against its signature, and each
 *   head consistent with the one before (a consistency proof from the tree, checked with the
 *   RFC's algorithm against both signed roots).
 */
export async function verifyLive(options: {
  eventStore: Pick<EventStore, 'readAll' | 'fastLog'>;
  store: LedgerStore;
  key: Pick<SigningKey, 'publicKey' | 'keyId'>;
  onProgress?: (leaves: number, total: number) => void;
}): Promise<LiveVerdict> {
  const { store } = options;
  const failures: string[] = [];
  const size = store.size();
  const batches = logBatches(options.eventStore);
  let checked = 0;
  let beyond = 0;
  try {
    let position: string | undefined;
    leaves: for (;;) {
      const events = await batches.after(position, BATCH);
      if (events.length === 0) break;
      const leaves = store.leaves(checked, events.length);
      for (let i = 0; i < events.length; i += 1) {
        const event = events[i];
        const leaf = leaves[i];
        if (!leaf) {
          beyond = events.length - i;
          break;
        }
        if (leaf.eventId !== event.eventId) {
          failures.push(
            `leaf ${leaf.index}: the tree holds event ${leaf.eventId} (position ${leaf.position}), the log has event ${event.eventId} (position ${event.position}) there: an event was removed, inserted or re-ordered`,
          );
          break leaves;
        }
        if (!hashLeaf(leafOf(event)).equals(leaf.leafHash)) {
          failures.push(`leaf ${leaf.index}: event ${event.eventId} (position ${event.position}) is not what was stored: its bytes changed since it entered the tree`);
          break leaves;
        }
        checked += 1;
      }
      position = events[events.length - 1].position;
      options.onProgress?.(checked, size);
      if (beyond > 0) {
        for (;;) {
          const more = await batches.after(position, BATCH);
          if (more.length === 0) break;
          beyond += more.length;
          position = more[more.length - 1].position;
        }
        break;
      }
    }
    if (failures.length === 0 && checked < size) {
      const missing = store.leaves(checked, 1)[0];
      failures.push(`leaf ${checked}: event ${missing.eventId} (position ${missing.position}) is no longer in the log`);
    }
  } finally {
    await batches.close();
  }

  let headsChecked = 0;
  let previous: SignedTreeHead | undefined;
  for (let from = 0; ; ) {
    const page = store.heads(from, 1000);
    if (page.length === 0) break;
    for (const head of page) {
      const name = `head of tree size ${head.treeSize} (${head.timestamp})`;
      if (head.keyId !== options.key.keyId) failures.push(`${name}: signed by key ${head.keyId}, not by this server's key ${options.key.keyId}`);
      else if (!headSignatureValid(head, options.key.publicKey)) failures.push(`${name}: the signature is not valid`);
      if (head.treeSize > size) {
        failures.push(`${name}: covers more leaves than the tree holds (${size}): leaves were lost`);
      } else if (!rootHash(store, head.treeSize).equals(fromHex(head.rootHash))) {
        failures.push(`${name}: the tree's root at that size is not the signed one: the tree was rebuilt from a different log`);
      }
      if (previous && head.treeSize <= size) {
        const proof = consistencyPath(store, previous.treeSize, head.treeSize);
        if (!verifyConsistency(previous.treeSize, head.treeSize, fromHex(previous.rootHash), fromHex(head.rootHash), proof)) {
          failures.push(`${name}: not consistent with the head of tree size ${previous.treeSize}: history before it was rewritten`);
        }
      }
      previous = head;
      headsChecked += 1;
    }
    from = page[page.length - 1].treeSize + 1;
  }
  return { ok: failures.length === 0, leavesChecked: checked, headsChecked, eventsBeyondTree: beyond, failures };
}
