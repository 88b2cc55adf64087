import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type MultiRowInsert, MultiRowInserter } from '@agreements/event-store';
import { type CompleteSubtree, MerkleFrontier } from '../merkle/frontier';
import type { Hash } from '../merkle/hashing';
import { rootHash } from '../merkle/proofs';
import type { SignedTreeHead } from '../heads/tree-head';
import type { LedgerStore, StoredLeaf } from './ledger-store.port';

const SCHEMA_VERSION = 1;

// Level 0 of the tree is the leaves table; every complete subtree above it is a row of nodes
// (a tree of n leaves has fewer than n of them). The heads are the durable record of what was
// signed: a rebuild of the tree never touches them.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS leaves (
  leaf_index INTEGER PRIMARY KEY,
  event_id   TEXT NOT NULL UNIQUE,
  position   TEXT NOT NULL,
  leaf_hash  BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS nodes (
  level      INTEGER NOT NULL,
  node_index INTEGER NOT NULL,
  hash       BLOB    NOT NULL,
  PRIMARY KEY (level, node_index)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS heads (
  tree_size INTEGER PRIMARY KEY,
  root_hash TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  key_id    TEXT NOT NULL,
  signature TEXT NOT NULL
);
`;

// A batch's leaves and subtrees go in with a few multi-row statements rather than one call a row.
// OR ROLLBACK: a violated constraint fails the whole transaction anyway (see the event store's
// multi-row-insert.ts), so SQLite need not journal each statement to undo it alone.
const LEAF_INSERT: MultiRowInsert = { sql: 'INSERT OR ROLLBACK INTO leaves (leaf_index, event_id, position, leaf_hash)', width: 4 };
const NODE_INSERT: MultiRowInsert = { sql: 'INSERT OR ROLLBACK INTO nodes (level, node_index, hash)', width: 3 };

interface HeadRow {
  tree_size: number;
  root_hash: string;
  timestamp: string;
  key_id: string;
  signature: string;
}

const toHead = (row: HeadRow): SignedTreeHead => ({
  treeSize: row.tree_size,
  rootHash: row.root_hash,
  timestamp: row.timestamp,
  keyId: row.key_id,
  signature: row.signature,
});

/** The ledger in a SQLite file (DATA_DIR/ledger.sqlite by default). One writer: the keeper of this process. */
export class SqliteLedgerStore implements LedgerStore {
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly inserter: MultiRowInserter;
  private frontier: MerkleFrontier;
  private last: string | undefined;

  /**
   * `derivedOnly`: this connection writes leaves and subtrees only (the keeper's), which the log
   * can always give again, so its commits need not wait for an fsync (synchronous=NORMAL: still
   * atomic, the tree and its checkpoint together); heads are signed on a FULL connection.
   */
  static open(file: string, options: { readonly?: boolean; derivedOnly?: boolean } = {}): SqliteLedgerStore {
    return new SqliteLedgerStore(file, options.readonly ?? false, options.derivedOnly ?? false);
  }

  private constructor(file: string, readonly: boolean, derivedOnly: boolean) {
    if (!readonly && file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { readonly, timeout: 15_000 });
    try {
      if (!readonly) {
        this.db.pragma('journal_mode = WAL');
        // Heads are a promise made to auditors: a signed head must survive a power cut.
        this.db.pragma(derivedOnly ? 'synchronous = NORMAL' : 'synchronous = FULL');
        // The keeper's commits rewrite the event_id index's pages at random: checkpointing every
        // ~40 MiB rather than every ~4 MiB copies (and fsyncs, beside the event store's own
        // fsyncs) each such page far less often, as the event store does for its own indexes.
        if (derivedOnly) this.db.pragma('wal_autocheckpoint = 10000');
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version > SCHEMA_VERSION) throw new Error(`${file} has ledger schema ${version}; this build knows up to ${SCHEMA_VERSION}`);
        this.db.exec(SCHEMA);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }
      this.db.pragma('cache_size = -32768');
      this.stmt = this.prepare();
      this.inserter = new MultiRowInserter(this.db);
      this.frontier = this.resumeFrontier();
      this.last = this.stmt.lastPosition.get();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  private prepare() {
    const db = this.db;
    return {
      leafHash: db.prepare<[number], Buffer>('SELECT leaf_hash FROM leaves WHERE leaf_index = ?').pluck(),
      node: db.prepare<[number, number], Buffer>('SELECT hash FROM nodes WHERE level = ? AND node_index = ?').pluck(),
      count: db.prepare<[], number | null>('SELECT MAX(leaf_index) + 1 FROM leaves').pluck(),
      lastPosition: db
        .prepare<[], string>('SELECT position FROM leaves ORDER BY leaf_index DESC LIMIT 1')
        .pluck(),
      indexOf: db.prepare<[string], number>('SELECT leaf_index FROM leaves WHERE event_id = ?').pluck(),
      leaves: db
        .prepare<[number, number], [number, string, string, Buffer]>(
          'SELECT leaf_index, event_id, position, leaf_hash FROM leaves WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?',
        )
        .raw(true),
      insertHead: db.prepare<[number, string, string, string, string]>(
        'INSERT OR IGNORE INTO heads (tree_size, root_hash, timestamp, key_id, signature) VALUES (?, ?, ?, ?, ?)',
      ),
      latestHead: db.prepare<[], HeadRow>('SELECT * FROM heads ORDER BY tree_size DESC LIMIT 1'),
      heads: db.prepare<[number, number], HeadRow>('SELECT * FROM heads WHERE tree_size >= ? ORDER BY tree_size LIMIT ?'),
    };
  }

  private resumeFrontier(): MerkleFrontier {
    const size = this.stmt.count.get() ?? 0;
    const edge: CompleteSubtree[] = MerkleFrontier.edgeOf(size).map(({ level, index }) => ({
      level,
      index,
      hash: this.subtree(level, index),
    }));
    return MerkleFrontier.resume(size, edge);
  }

  size(): number {
    return this.frontier.size;
  }

  lastPosition(): string | undefined {
    return this.last;
  }

  appendLeaves(leaves: ReadonlyArray<Omit<StoredLeaf, 'index'>>): void {
    if (leaves.length === 0) return;
    const frontier = MerkleFrontier.resume(this.frontier.size, this.frontier.edgeSubtrees());
    const leafRows: unknown[] = [];
    const nodeRows: unknown[] = [];
    for (const leaf of leaves) {
      leafRows.push(frontier.size, leaf.eventId, leaf.position, leaf.leafHash);
      frontier.append(leaf.leafHash, (node) => {
        if (node.level > 0) nodeRows.push(node.level, node.index, node.hash);
      });
    }
    this.db.transaction(() => {
      this.inserter.insertRows(LEAF_INSERT, leafRows);
      this.inserter.insertRows(NODE_INSERT, nodeRows);
    })();
    // Only once committed: a failed transaction leaves the tree where it was.
    this.frontier = frontier;
    this.last = leaves[leaves.length - 1].position;
  }

  subtree(level: number, index: number): Hash {
    const hash = level === 0 ? this.stmt.leafHash.get(index) : this.stmt.node.get(level, index);
    if (!hash) throw new Error(`the ledger has no complete subtree at level ${level}, index ${index}`);
    return hash;
  }

  root(treeSize = this.frontier.size): Hash {
    if (treeSize === this.frontier.size) return this.frontier.root();
    if (treeSize > this.frontier.size) throw new RangeError(`the tree has ${this.frontier.size} leaves, not ${treeSize}`);
    return rootHash(this, treeSize);
  }

  leafIndexOf(eventId: string): number | undefined {
    return this.stmt.indexOf.get(eventId);
  }

  leaves(fromIndex: number, limit: number): StoredLeaf[] {
    return this.stmt.leaves.all(fromIndex, limit).map(([index, eventId, position, leafHash]) => ({ index, eventId, position, leafHash }));
  }

  clearTree(): void {
    this.db.exec('DELETE FROM leaves; DELETE FROM nodes;');
    this.frontier = new MerkleFrontier();
    this.last = undefined;
  }

  /** A reader (another connection) sees what the writer committed since: reload the right edge. */
  refresh(): void {
    if ((this.stmt.count.get() ?? 0) === this.frontier.size) return;
    this.frontier = this.resumeFrontier();
    this.last = this.stmt.lastPosition.get();
  }

  addHead(head: SignedTreeHead): void {
    this.stmt.insertHead.run(head.treeSize, head.rootHash, head.timestamp, head.keyId, head.signature);
  }

  latestHead(): SignedTreeHead | undefined {
    const row = this.stmt.latestHead.get();
    return row && toHead(row);
  }

  heads(fromTreeSize: number, limit: number): SignedTreeHead[] {
    return this.stmt.heads.all(fromTreeSize, limit).map(toHead);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
