import type { EventStore } from '@agreements/event-store';
import { headSignatureValid, type SignedTreeHead } from '../heads/tree-head';
import { type LogBatches, logBatches } from '../keeper/log-batches';
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

/** What a check of a range of leaves found. */
export interface LeafRangeCheck {
  /** Leaves recomputed from the log and found equal to the tree's, from the range's start. */
  checked: number;
  /** The first difference, which ends the check. */
  failure?: string;
  /** Events after the tree's last leaf (only counted by a range that runs to the tree's end). */
  beyond: number;
}

/**
 * Leaves [from, to) recomputed from the log against the tree. `afterPosition` is the position of
 * leaf from-1 (undefined from 0): the log is read after it, so ranges can be checked apart (on
 * threads of their own). With `countBeyond`, the events after the tree's end are counted too.
 */
export async function checkLeafRange(options: {
  batches: LogBatches;
  store: Pick<LedgerStore, 'leaves'>;
  from: number;
  to: number;
  afterPosition: string | undefined;
  countBeyond: boolean;
  onProgress?: (checked: number) => void;
}): Promise<LeafRangeCheck> {
  const { batches, store, from, to } = options;
  let checked = 0;
  let position = options.afterPosition;
  while (from + checked < to) {
    const events = await batches.after(position, Math.min(BATCH, to - from - checked));
    const leaves = store.leaves(from + checked, events.length || 1);
    if (events.length === 0) {
      const missing = leaves[0];
      return { checked, beyond: 0, failure: `leaf ${missing.index}: event ${missing.eventId} (position ${missing.position}) is no longer in the log` };
    }
    for (let i = 0; i < events.length; i += 1) {
      const leaf = leaves[i];
      const eventId = events.eventId(i);
      if (leaf.eventId !== eventId) {
        return {
          checked,
          beyond: 0,
          failure: `leaf ${leaf.index}: the tree holds event ${leaf.eventId} (position ${leaf.position}), the log has event ${eventId} (position ${events.position(i)}) there: an event was removed, inserted or re-ordered`,
        };
      }
      if (!events.hashesTo(i, leaf.leafHash)) {
        return { checked, beyond: 0, failure: `leaf ${leaf.index}: event ${eventId} (position ${events.position(i)}) is not what was stored: its bytes changed since it entered the tree` };
      }
      checked += 1;
    }
    position = events.position(events.length - 1);
    options.onProgress?.(checked);
  }
  let beyond = 0;
  if (options.countBeyond) {
    for (;;) {
      const more = await batches.after(position, BATCH);
      if (more.length === 0) break;
      beyond += more.length;
      position = more.position(more.length - 1);
    }
  }
  return { checked, beyond };
}

/** Every stored head against the tree's root at its size and its signature, and each consistent with the one before. */
export function checkHeads(store: LedgerStore, key: Pick<SigningKey, 'publicKey' | 'keyId'>): { headsChecked: number; failures: string[] } {
  const failures: string[] = [];
  const size = store.size();
  let headsChecked = 0;
  let previous: SignedTreeHead | undefined;
  for (let from = 0; ; ) {
    const page = store.heads(from, 1000);
    if (page.length === 0) break;
    for (const head of page) {
      const name = `head of tree size ${head.treeSize} (${head.timestamp})`;
      if (head.keyId !== key.keyId) failures.push(`${name}: signed by key ${head.keyId}, not by this server's key ${key.keyId}`);
      else if (!headSignatureValid(head, key.publicKey)) failures.push(`${name}: the signature is not valid`);
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
  return { headsChecked, failures };
}

/**
 * `verify` on the live store, on this thread. Two links of the chain log -> tree -> heads:
 * - every leaf recomputed from the event store as it is now against the tree's (a changed byte,
 *   a removed or re-ordered event: the first one named, then the check of leaves stops);
 * - every stored head against the tree's root at its size and against its signature, and each
 *   head consistent with the one before (a consistency proof from the tree, checked with the
 *   RFC's algorithm against both signed roots).
 * (libs/platform's verifyLedger checks the leaves of the embedded store on several threads.)
 */
export async function verifyLive(options: {
  eventStore: Pick<EventStore, 'readAll' | 'fastLog'>;
  store: LedgerStore;
  key: Pick<SigningKey, 'publicKey' | 'keyId'>;
  onProgress?: (leaves: number, total: number) => void;
}): Promise<LiveVerdict> {
  const { store } = options;
  store.refresh();
  const size = store.size();
  const batches = logBatches(options.eventStore);
  let leaves: LeafRangeCheck;
  try {
    leaves = await checkLeafRange({
      batches,
      store,
      from: 0,
      to: size,
      afterPosition: undefined,
      countBeyond: true,
      onProgress: (checked) => options.onProgress?.(checked, size),
    });
  } finally {
    await batches.close();
  }
  return combineVerdict(leaves, checkHeads(store, options.key));
}

export function combineVerdict(leaves: LeafRangeCheck, heads: { headsChecked: number; failures: string[] }): LiveVerdict {
  const failures = [...(leaves.failure ? [leaves.failure] : []), ...heads.failures];
  return { ok: failures.length === 0, leavesChecked: leaves.checked, headsChecked: heads.headsChecked, eventsBeyondTree: leaves.beyond, failures };
}
