import { createWriteStream } from 'node:fs';
import { exportLedger, HeadSigner, LedgerKeeper } from '@agreements/ledger';
import type { LedgerAccess } from './ledger-access';

/**
 * `export --to FILE`: the leaves of the latest signed head as JSON Lines, then the head
 * (docs/auditing.md). With no server on DATA_DIR it first brings the tree up to the log and signs
 * a head over it; beside a running server it exports the server's latest head as it is.
 * Progress goes to stderr, so stdout stays one summary line.
 */
export async function runExport(access: LedgerAccess, to: string, say: (line: string) => void, progress: (line: string) => void): Promise<number> {
  const { eventStore, store, key } = access;
  if (!access.serverRunning) {
    await new LedgerKeeper(eventStore, store).catchUp();
    await new HeadSigner({ store, key, intervalMs: 0 }).signNow();
  }
  const head = store.latestHead();
  if (!head) {
    say('nothing to export: no tree head was signed yet (the log is empty)');
    return 1;
  }
  const out = createWriteStream(to, { encoding: 'utf8', mode: 0o600 });
  const started = Date.now();
  let lastPrinted = 0;
  try {
    const written = await exportLedger({
      eventStore,
      store,
      head,
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          out.write(chunk, (err) => (err ? reject(err) : resolve()));
        }),
      onProgress: (done, total) => {
        if (Date.now() - lastPrinted < 1000 && done < total) return;
        lastPrinted = Date.now();
        progress(`  exported ${done} of ${total} leaves (${((100 * done) / Math.max(total, 1)).toFixed(1)}%), ${((Date.now() - started) / 1000).toFixed(1)} s`);
      },
    });
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    say(`exported ${written} leaves and the head of tree size ${head.treeSize} (root ${head.rootHash}, key ${head.keyId}) to ${to}`);
    return 0;
  } catch (err) {
    out.destroy();
    throw err;
  }
}
