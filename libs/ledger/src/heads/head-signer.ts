import type { LedgerStore } from '../store/ledger-store.port';
import type { SigningKey } from './signing-key';
import { signHead, type SignedTreeHead } from './tree-head';
import { toHex } from '../merkle/hashing';

export interface HeadSignerOptions {
  store: LedgerStore;
  key: SigningKey;
  /** Sign at most this often (LEDGER_HEAD_INTERVAL_MS). */
  intervalMs: number;
  /** Each new head once stored (the Kafka publisher, when there is one). A failure is reported, never thrown back. */
  onHead?: (head: SignedTreeHead) => Promise<void> | void;
  onError?: (err: unknown) => void;
  now?: () => Date;
}

/**
 * Signs a tree head whenever the tree has grown since the last one, at most every intervalMs,
 * and on demand. Every head is stored before anyone sees it.
 */
export class HeadSigner {
  private timer: NodeJS.Timeout | undefined;
  /** The head being signed and published, which stop() waits for. */
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: HeadSignerOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.inFlight = this.inFlight.then(() => this.signIfGrown()).catch((err) => this.options.onError?.(err));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** A new head when the tree holds leaves the latest head does not cover; else the latest head (undefined for a never-signed empty tree). */
  async signIfGrown(): Promise<SignedTreeHead | undefined> {
    this.options.store.refresh();
    const latest = this.options.store.latestHead();
    if (latest && latest.treeSize >= this.options.store.size()) return latest;
    if (!latest && this.options.store.size() === 0) return undefined;
    return this.signNow();
  }

  /** Signs the tree as it is now (the empty tree too) unless the latest head already covers it. */
  async signNow(): Promise<SignedTreeHead> {
    const { store, key } = this.options;
    store.refresh();
    const latest = store.latestHead();
    const treeSize = store.size();
    if (latest && latest.treeSize >= treeSize) return latest;
    const timestamp = (this.options.now?.() ?? new Date()).toISOString();
    const head = signHead({ treeSize, rootHash: toHex(store.root(treeSize)), timestamp }, key.privateKey, key.keyId);
    store.addHead(head);
    try {
      await this.options.onHead?.(head);
    } catch (err) {
      this.options.onError?.(err);
    }
    return head;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }
}
