import { readFileSync, statSync } from 'node:fs';
import { verifyExportFile } from '@agreements/ledger';
import { ledgerFile, verifyLedger } from '@agreements/platform';
import type { LedgerAccess } from './ledger-access';

/** Exit codes of `verify` (docs/auditing.md): scripts tell a failed check from a mistyped command. */
export const VERIFY_EXIT = { ok: 0, mismatch: 1, usage: 2 } as const;

export class VerifyUsageError extends Error {}

/** `verify FILE --key PEM`: offline, no server and no DATA_DIR; names the first line that does not match. */
export async function runVerifyFile(file: string, keyFile: string, say: (line: string) => void, progress: (line: string) => void): Promise<number> {
  let pem: string;
  try {
    pem = readFileSync(keyFile, 'utf8');
  } catch (err) {
    throw new VerifyUsageError(`cannot read the key ${keyFile}: ${(err as Error).message}`);
  }
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch (err) {
    throw new VerifyUsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let verdict;
  try {
    verdict = await verifyExportFile(file, pem, (lines) => progress(`  ${lines} lines checked`));
  } catch (err) {
    if ((err as Error).message.includes('key')) throw new VerifyUsageError(`${keyFile} is not a public key: ${(err as Error).message}`);
    throw err;
  }
  if (!verdict.ok) {
    say(`MISMATCH at line ${verdict.line}: ${verdict.reason}`);
    return VERIFY_EXIT.mismatch;
  }
  say(`ok: ${verdict.treeSize} leaves, root ${verdict.head.rootHash}, signed by key ${verdict.head.keyId} at ${verdict.head.timestamp}`);
  return VERIFY_EXIT.ok;
}

/** `verify` on the live store: log against tree, tree against every head, each head against the one before. */
export async function runVerifyLive(access: LedgerAccess, say: (line: string) => void, progress: (line: string) => void): Promise<number> {
  const started = Date.now();
  progress(`  recomputing ${access.store.size()} leaves from the log`);
  const verdict = await verifyLedger({ eventStore: access.eventStore, store: access.store, ledgerFile: ledgerFile(access.config), key: access.key });
  const seconds = (Date.now() - started) / 1000;
  for (const failure of verdict.failures) say(`MISMATCH ${failure}`);
  const beyond = verdict.eventsBeyondTree ? `; ${verdict.eventsBeyondTree} newer events not in the tree yet` : '';
  say(
    `${verdict.ok ? 'ok' : 'FAILED'}: ${verdict.leavesChecked} leaves recomputed from the log, ${verdict.headsChecked} signed heads checked ` +
      `in ${seconds.toFixed(2)} s (${Math.round(verdict.leavesChecked / Math.max(seconds, 0.001))} events/s)${beyond}`,
  );
  return verdict.ok ? VERIFY_EXIT.ok : VERIFY_EXIT.mismatch;
}
