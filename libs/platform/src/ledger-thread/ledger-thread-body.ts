import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { LedgerKeeper, SqliteLedgerStore } from '@agreements/ledger';
import { threadBody } from '@agreements/worker-threads';
import type { AppConfig } from '../config/config';
import { openEventStore } from '../runtime/event-store';
import { FOLLOWER_PAGE_CACHE_MIB } from '../runtime/memory-budget';
import type { ThreadLogLine } from '../runtime/logged-thread';

/** The keeper's scheduling priority (nice): below the API's threads, which take commands. */
const KEEPER_NICE = 10;

/**
 * Lowers this thread's priority alone (Linux: /proc/thread-self names its thread id, and
 * setpriority on a thread id changes only that thread). On a machine whose cores are all busy the
 * keeper then yields to the threads that append and answer, and catches up when they idle; the
 * heads lag a little, the commands do not. Elsewhere it is a no-op.
 */
function lowerThisThreadsPriority(): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, KEEPER_NICE);
    return true;
  } catch {
    return false;
  }
}

/**
 * The ledger keeper's thread body (see ledger-thread.ts): its own connections to the event store
 * and to the ledger file, the keeper following the log until stopped; `catchUp` appends what is
 * stored now and answers the tree's size.
 */
export const ledgerThread = threadBody<{ config: AppConfig; file: string; pollIntervalMs: number }, 'catchUp' | 'size', number, ThreadLogLine>({
  ordered: true,
  async open(data, thread) {
    const log = (level: ThreadLogLine['level'], obj: Record<string, unknown>, msg: string) => thread.emit({ level, obj, msg });
    if (!lowerThisThreadsPriority()) log('info', {}, 'ledger thread: runs at normal priority (no per-thread priority here)');
    const eventStore = await openEventStore(
      data.config,
      { info: (obj, msg) => log('info', typeof obj === 'string' ? {} : { ...obj }, msg ?? String(obj)) },
      { pageCacheMiB: FOLLOWER_PAGE_CACHE_MIB },
    );
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
