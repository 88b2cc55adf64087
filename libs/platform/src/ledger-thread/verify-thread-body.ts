import { openFastLogReader, type FastLogHandle } from '@agreements/event-store';
import { checkLeafRange, type LeafRangeCheck, readerBatches, SqliteLedgerStore } from '@agreements/ledger';
import { threadBody } from '@agreements/worker-threads';

export interface LeafRangeRequest {
  from: number;
  to: number;
  afterPosition: string | undefined;
  countBeyond: boolean;
}

/** One range of `verify`'s leaf check, on a thread with its own read connections to the log and the ledger. */
export const verifyThread = threadBody<{ log: FastLogHandle; ledgerFile: string }, LeafRangeRequest, LeafRangeCheck>({
  ordered: true,
  open(data) {
    const store = SqliteLedgerStore.open(data.ledgerFile, { readonly: true });
    return {
      async handle(request) {
        const batches = readerBatches(openFastLogReader(data.log));
        try {
          return await checkLeafRange({ ...request, batches, store });
        } finally {
          await batches.close();
        }
      },
      close: () => store.close(),
    };
  },
});
