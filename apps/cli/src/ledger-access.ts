import { existsSync } from 'node:fs';
import type { EventStore } from '@agreements/event-store';
import { loadSigningKey, type SigningKey, SqliteLedgerStore } from '@agreements/ledger';
import { createLogger, ledgerFile, liveServerOn, loadConfig, openEventStore, type AppConfig } from '@agreements/platform';

export interface LedgerAccess {
  config: AppConfig;
  eventStore: EventStore;
  store: SqliteLedgerStore;
  key: SigningKey;
  /** A live server keeps this ledger: the command must only read it. */
  serverRunning: boolean;
}

/** The event store and the ledger the configuration names, for export and verify; closed after `run`. */
export async function withLedger<T>(run: (access: LedgerAccess) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const file = ledgerFile(config);
  if (!existsSync(file)) throw new LedgerMissingError(`no ledger in ${config.dataDir} (${file}): the server keeps one from its first start`);
  const logger = createLogger(config, 'cli');
  const eventStore = await openEventStore(config, { info: (obj, msg) => logger.debug(obj, msg) });
  const store = SqliteLedgerStore.open(file);
  try {
    const key = loadSigningKey({ dataDir: config.dataDir, keyFile: config.ledgerKeyFile, create: false });
    return await run({ config, eventStore, store, key, serverRunning: liveServerOn(config.dataDir) !== undefined });
  } finally {
    store.close();
    await eventStore.close();
  }
}

export class LedgerMissingError extends Error {}
