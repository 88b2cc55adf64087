import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KeeperHandle } from '@agreements/ledger';
import type { AppConfig } from '../config/config';
import { startLoggedThread } from '../runtime/logged-thread';
import type { ledgerThread } from './ledger-thread-body';

const STOP_TIMEOUT_MS = 8000;
const CATCH_UP_TIMEOUT_MS = 120_000;

/**
 * Runs the ledger keeper on a worker thread of this process: canonicalising and hashing every
 * event then uses the machine's other core instead of the API's event loop, which is what keeps
 * its cost to the embedded store's appends within 10% (docs/benchmarks.md). The API keeps its own
 * connection to the ledger file for proofs and signing heads.
 */
export async function startLedgerThread(config: AppConfig, file: string, logger: Logger, pollIntervalMs = 100): Promise<KeeperHandle> {
  const thread = await startLoggedThread<typeof ledgerThread>({
    module: join(__dirname, 'ledger-thread-body'),
    export: 'ledgerThread',
    data: { config, file, pollIntervalMs },
    role: 'ledger',
    logger,
  });
  return {
    start: () => undefined,
    catchUp: () => thread.request('catchUp', { timeoutMs: CATCH_UP_TIMEOUT_MS }),
    stop: () => thread.stop({ timeoutMs: STOP_TIMEOUT_MS }),
  };
}
