import { LedgerKeeper, SqliteLedgerStore } from '@agreements/ledger';
import { threadBody } from '@agreements/worker-threads';
import type { AppConfig } from '../config/config';
import { openEventStore } from '../runtime/event-store';

export interface LedgerThreadLog {
  level: 'info' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

/**
 * The ledger keeper's thread body (see ledger-thread.ts): its own connections to the event store
 * and to the ledger file, the keeper following the log until stopped; `catchUp` appends what is
 * stored now and answers the tree's size.
 */
export const ledgerThread = threadBody<{ config: AppConfig; file: string; pollIntervalMs: number }, 'catchUp' | 'size', number, LedgerThreadLog>({
  ordered: true,
  async open(data, thread) {
    const log = (level: LedgerThreadLog['level'], obj: Record<string, unknown>, msg: string) => thread.emit({ level, obj, msg });
    const eventStore = await openEventStore(data.config, { info: (obj, msg) => log('info', typeof obj === 'string' ? {} : { ...obj }, msg ?? String(obj)) });
    const store = SqliteLedgerStore.open(data.file, { derivedOnly: true });
    const keeper = new LedgerKeeper(eventStore, store, {
      pollIntervalMs: data.pollIntervalMs,
      batchSize: 5000,
      onError: (err) =>
        log('error', { err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'ledger keeper: batch failed; retrying with backoff'),
    });
    keeper.start();
    return {
      async handle(request) {
        if (request === 'catchUp') await keeper.catchUp();
        return store.size();
      },
      async close() {
        await keeper.stop();
        store.close();
        await eventStore.close();
      },
    };
  },
});
