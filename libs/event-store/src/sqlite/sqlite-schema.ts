import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

const SCHEMA_VERSION = 1;

// Positions are the rowid of the events table. AUTOINCREMENT guarantees a position is never
// handed out twice even if the newest rows were ever removed, so a checkpoint can never point at
// a different event later. Every write takes the database write lock before it assigns
// positions, and commits are serialized, so a reader that sees position p also sees every
// position below p: "position > checkpoint" never skips an event.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  event_id    TEXT    NOT NULL UNIQUE,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
-- Replays filtered by type ("every MemorandumSigned since position p") without scanning the log.
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
-- A rowid table on purpose: command ids are random, and in a WITHOUT ROWID table every insert
-- would land the whole row (result JSON included) at a random place of the tree, splitting and
-- dirtying far more pages per commit than the small command_id index does (measured: about a
-- third fewer appends per second).
CREATE TABLE IF NOT EXISTS commands (
  command_id   TEXT NOT NULL PRIMARY KEY,
  request_hash TEXT NOT NULL,
  stream_id    TEXT NOT NULL,
  result       TEXT NOT NULL,
  recorded_at  TEXT NOT NULL
);
`;

/** Opens (creating when missing) the log's file for writing, with the durability it promises, at the current schema. */
export function openLogDatabase(file: string, busyTimeoutMs: number, pageCacheMiB = 64): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    // WAL lets subscribers and readers (also in other processes) read while a batch is being
    // written; synchronous=FULL makes each commit fsync the WAL, so an acknowledged append
    // survives a power cut and not only a process crash (NORMAL would only survive the latter).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // The event_id and command_id indexes take random keys; a larger page cache keeps their
    // inner pages in memory as the log grows (64 MiB by default, a ceiling rather than an
    // allocation, but one a growing log fills: it counts in the process's memory budget).
    db.pragma(`cache_size = -${Math.round(pageCacheMiB * 1024)}`);
    // Checkpoint the WAL into the main file every ~40 MiB rather than every ~4 MiB: pages that
    // many batches touch (index roots, the newest leaves) are then copied and synced far less
    // often. It only changes when the file is tidied, not what a commit guarantees.
    db.pragma('wal_autocheckpoint = 10000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`${file} has event store schema ${version}; this build knows up to ${SCHEMA_VERSION}`);
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
