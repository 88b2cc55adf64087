import type { EventStore } from '@agreements/event-store';
import { HeadSigner } from '../heads/head-signer';
import type { SigningKey } from '../heads/signing-key';
import type { SignedTreeHead } from '../heads/tree-head';
import { type KeeperHandle, LedgerKeeper } from '../keeper/ledger-keeper';
import { hashLeaf, type Leaf, leafOf } from '../leaf/leaf';
import { fromRecordedEvent } from '../leaf/stored-events';
import { toHex } from '../merkle/hashing';
import { consistencyPath, inclusionPath } from '../merkle/proofs';
import type { LedgerStore } from '../store/ledger-store.port';
import { LedgerQueryError } from './ledger-errors';

export interface LedgerServiceOptions {
  eventStore: EventStore;
  store: LedgerStore;
  key: SigningKey;
  /** Sign a head at most this often when the log has grown (LEDGER_HEAD_INTERVAL_MS). */
  headIntervalMs: number;
  onHead?: (head: SignedTreeHead) => Promise<void> | void;
  onError?: (err: unknown, what: string) => void;
  pollIntervalMs?: number;
  /** The keeper when it runs elsewhere (a worker thread); default: one on this thread. */
  keeper?: KeeperHandle;
}

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
}

export interface ConsistencyProof {
  first: number;
  second: number;
  path: string[];
}

export interface LeafItem {
  index: number;
  leafHash: string;
  /** The leaf recomputed from the event store now; it hashes to leafHash unless the store was changed. Null when the event is gone. */
  leaf: Leaf | null;
}

/**
 * The ledger of one process: the keeper that grows the tree, the signer of heads, and the
 * auditor's questions (key, heads, leaves, proofs). Proofs are only given for tree sizes a
 * signed head covers: a proof against an unsigned size would prove nothing to anyone.
 */
export class LedgerService {
  readonly keeper: KeeperHandle;
  readonly signer: HeadSigner;

  constructor(private readonly options: LedgerServiceOptions) {
    this.keeper =
      options.keeper ??
      new LedgerKeeper(options.eventStore, options.store, {
        pollIntervalMs: options.pollIntervalMs,
        onError: (err) => options.onError?.(err, 'ledger keeper: batch failed; retrying with backoff'),
      });
    this.signer = new HeadSigner({
      store: options.store,
      key: options.key,
      intervalMs: options.headIntervalMs,
      onHead: options.onHead,
      onError: (err) => options.onError?.(err, 'ledger: signing or publishing a head failed'),
    });
  }

  start(): void {
    this.keeper.start();
    this.signer.start();
  }

  async stop(): Promise<void> {
    await this.signer.stop();
    await this.keeper.stop();
  }

  key(): { keyId: string; algorithm: 'Ed25519'; publicKey: string } {
    return { keyId: this.options.key.keyId, algorithm: 'Ed25519', publicKey: this.options.key.publicKeyPem };
  }

  latestHead(): SignedTreeHead | undefined {
    return this.options.store.latestHead();
  }

  heads(fromTreeSize: number, limit: number): { items: SignedTreeHead[]; nextCursor: string | null } {
    const page = this.options.store.heads(fromTreeSize, limit + 1);
    const items = page.slice(0, limit);
    return { items, nextCursor: page.length > limit ? String(page[limit].treeSize) : null };
  }

  /** Catches up with the log and signs a head over all of it (on demand). */
  async signNow(): Promise<SignedTreeHead> {
    await this.keeper.catchUp();
    return this.signer.signNow();
  }

  async leaves(fromIndex: number, limit: number): Promise<{ items: LeafItem[]; nextIndex: number | null }> {
    this.options.store.refresh();
    const stored = this.options.store.leaves(fromIndex, limit);
    if (stored.length === 0) return { items: [], nextIndex: null };
    const events = await this.options.eventStore.readAll({ fromPosition: stored[0].position, maxCount: stored.length });
    const byId = new Map(events.map((event) => [event.eventId, event]));
    const items = stored.map((leaf) => {
      const event = byId.get(leaf.eventId);
      return { index: leaf.index, leafHash: toHex(leaf.leafHash), leaf: event ? leafOf(fromRecordedEvent(event)) : null };
    });
    const next = stored[stored.length - 1].index + 1;
    return { items, nextIndex: next < this.options.store.size() ? next : null };
  }

  private signedSize(): number {
    return this.options.store.latestHead()?.treeSize ?? 0;
  }

  private checkSigned(field: string, treeSize: number): void {
    const signed = this.signedSize();
    if (treeSize > signed) {
      throw new LedgerQueryError(400, 'VALIDATION_FAILED', `must be at most the latest signed head's tree size, ${signed}`, field);
    }
    // A tree rebuilt from a log that lost events is smaller than heads signed before: say so
    // rather than fail on a subtree it no longer has (`verify` names what was lost).
    this.options.store.refresh();
    if (treeSize > this.options.store.size()) {
      throw new LedgerQueryError(400, 'VALIDATION_FAILED', `the tree holds ${this.options.store.size()} leaves, fewer than the signed ${treeSize}: run verify`, field);
    }
  }

  /**
   * Where the tree saw an event in the log (undefined: not a leaf yet). The tree is also an index
   * of event ids, which EventStoreDB lacks for events recorded without id reservations.
   */
  positionOf(eventId: string): string | undefined {
    this.options.store.refresh();
    const leafIndex = this.options.store.leafIndexOf(eventId);
    return leafIndex === undefined ? undefined : this.options.store.leaves(leafIndex, 1)[0]?.position;
  }

  /** The audit path of an event's leaf in the tree of treeSize leaves (default: the latest head's). */
  inclusionProof(eventId: string, treeSize?: number): InclusionProof {
    const size = treeSize ?? this.signedSize();
    this.checkSigned('treeSize', size);
    const leafIndex = this.options.store.leafIndexOf(eventId);
    if (leafIndex === undefined) throw new LedgerQueryError(404, 'EVENT_NOT_FOUND', `No event ${eventId} in the ledger`);
    if (leafIndex >= size) {
      throw new LedgerQueryError(
        400,
        'VALIDATION_FAILED',
        `event ${eventId} is leaf ${leafIndex}, outside a tree of ${size}; ask for a later head's tree size`,
        'treeSize',
      );
    }
    const store = this.options.store;
    return {
      leafIndex,
      treeSize: size,
      leafHash: toHex(store.subtree(0, leafIndex)),
      auditPath: inclusionPath(store, leafIndex, size).map(toHex),
    };
  }

  consistencyProof(first: number, second: number): ConsistencyProof {
    this.checkSigned('second', second);
    if (first > second) throw new LedgerQueryError(400, 'VALIDATION_FAILED', 'must be at most second', 'first');
    return { first, second, path: consistencyPath(this.options.store, first, second).map(toHex) };
  }

  /** Recomputes the tree from the log (the rebuild command). The signed heads stay: `verify` compares the new tree with them. */

  /** Leaf hash of an event as the store holds it now (for checks). */
  static leafHashOf(event: Parameters<typeof fromRecordedEvent>[0]): string {
    return toHex(hashLeaf(leafOf(fromRecordedEvent(event))));
  }
}
