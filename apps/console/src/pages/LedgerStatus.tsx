import { ApiError, get } from '../api';
import { formatInstant } from '../dates';
import { useLoad } from '../use-load';

/**
 * Where the ledger exists (/v1/ledger/*, docs/ledger.md), its latest signed tree head. The hook
 * for verification status: with no ledger (404) it shows nothing; checking inclusion proofs of
 * the events shown is left to a later change.
 */
export function LedgerStatus() {
  const head = useLoad(async () => {
    try {
      return await get('/v1/ledger/head');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, []);
  if (!head.data) return null;
  return (
    <aside class="ledger" aria-label="Ledger">
      Ledger: signed tree head of {head.data.treeSize} events, root <code>{String(head.data.rootHash).slice(0, 16)}…</code>, signed{' '}
      {formatInstant(head.data.timestamp)}.
    </aside>
  );
}
