import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** DATA_DIR holds the event log, the read models and the tokens: its owner's alone. */
export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

function tighten(path: string, mode: number): void {
  try {
    if ((statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
  } catch (err) {
    // A directory the process does not own (a mounted volume) keeps its mode; the files inside are still ours.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM' && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Creates DATA_DIR (0700) or tightens it to 0700. */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  tighten(dir, DATA_DIR_MODE);
}

/**
 * The files the stores created in DATA_DIR (SQLite databases with their -wal and -shm files,
 * checkpoints, claims): 0600. Run once they are open; files created later are covered by the
 * directory's mode and, in the product's processes, by the umask startProcess sets.
 */
export function secureDataFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (statSync(path).isFile()) tighten(path, DATA_FILE_MODE);
    } catch {
      // removed meanwhile
    }
  }
}
