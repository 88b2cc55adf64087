import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@agreements/event-store';
import { checkHeads, combineVerdict, type LeafRangeCheck, type LedgerStore, type LiveVerdict, type SigningKey, verifyLive } from '@agreements/ledger';
import { WorkerThread } from '@agreements/worker-threads';
import type { verifyThread } from './verify-thread-body';

/** Below this many leaves one thread is quicker than starting others. */
const THREADED_FROM = 50_000;

/**
 * `verify` of the live store (libs/ledger's verifyLive), with the leaves of an embedded log
 * checked in ranges on one thread per core (at most 4): recomputing each leaf's canonical bytes
 * and hash is the whole cost. The first difference of the lowest range is the one named.
 */
export async function verifyLedger(options: {
  eventStore: EventStore;
  store: LedgerStore;
  ledgerFile: string;
  key: Pick<SigningKey, 'publicKey' | 'keyId'>;
  threads?: number;
  /** Fewer leaves than this are checked on this thread (default 50,000). */
  threadedFrom?: number;
}): Promise<LiveVerdict> {
  const { eventStore, store } = options;
  store.refresh();
  const size = store.size();
  const threads = Math.max(1, Math.min(4, options.threads ?? availableParallelism()));
  if (!eventStore.fastLog || threads === 1 || size < (options.threadedFrom ?? THREADED_FROM)) return verifyLive(options);

  const bounds = Array.from({ length: threads + 1 }, (_, i) => Math.floor((size * i) / threads));
  const workers = bounds.slice(0, -1).map((_, i) =>
    WorkerThread.start<typeof verifyThread>({
      module: join(__dirname, 'verify-thread-body'),
      export: 'verifyThread',
      data: { log: eventStore.fastLog!.handle, ledgerFile: options.ledgerFile },
      name: `verify thread ${i + 1}`,
    }),
  );
  let ranges: LeafRangeCheck[];
  try {
    ranges = await Promise.all(
      workers.map((worker, i) =>
        worker.request(
          {
            from: bounds[i],
            to: bounds[i + 1],
            afterPosition: bounds[i] === 0 ? undefined : store.leaves(bounds[i] - 1, 1)[0].position,
            countBeyond: i === threads - 1,
          },
          { timeoutMs: 3_600_000 },
        ),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
  // The leaves before the first difference count as checked, as on one thread.
  let checked = 0;
  let failure: string | undefined;
  for (const range of ranges) {
    checked += range.checked;
    if (range.failure) {
      failure = range.failure;
      break;
    }
  }
  return combineVerdict({ checked, failure, beyond: failure ? 0 : ranges[ranges.length - 1].beyond }, checkHeads(store, options.key));
}
