import { ApiError, get } from '../api';
import { formatInstant } from '../dates';
import { useLoad } from '../use-load';
import { rootFromInclusionProof } from './inclusion';

interface Verdict {
  head: { treeSize: number; rootHash: string; timestamp: string };
  included: number;
  /** Events recorded after the head: not in a signed tree yet. */
  notYet: number;
  /** Event ids whose proof did not lead to the head's root. */
  failed: string[];
}

/**
 * Where the ledger exists (/v1/ledger/*, docs/auditing.md): every event of the stream checked
 * against the latest signed tree head, in this browser (RFC 9162 inclusion proofs, WebCrypto
 * SHA-256). With no ledger (404, 503) it shows nothing.
 */
export function LedgerStatus({ eventIds }: { eventIds: string[] }) {
  const verdict = useLoad(async (): Promise<Verdict | null> => {
    let head: Verdict['head'];
    try {
      head = await get('/v1/ledger/head');
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 503)) return null;
      throw err;
    }
    const result: Verdict = { head, included: 0, notYet: 0, failed: [] };
    for (const eventId of eventIds) {
      try {
        const proof = await get(`/v1/ledger/proof/inclusion?eventId=${eventId}&treeSize=${head.treeSize}`);
        const root = await rootFromInclusionProof(proof.leafIndex, proof.treeSize, proof.leafHash, proof.auditPath);
        if (root === head.rootHash) result.included += 1;
        else result.failed.push(eventId);
      } catch (err) {
        // Not a leaf of the signed tree yet (recorded after the head), or not in the tree at all.
        if (err instanceof ApiError && (err.status === 400 || err.status === 404)) result.notYet += 1;
        else throw err;
      }
    }
    return result;
  }, [eventIds.join(',')]);
  const v = verdict.data;
  if (!v) return null;
  return (
    <aside class="ledger" aria-label="Ledger">
      {v.failed.length > 0 ? (
        <strong role="alert">
          Ledger: {v.failed.length} event(s) do not verify against the signed tree head: {v.failed.join(', ')}.{' '}
        </strong>
      ) : (
        <span>
          Ledger: {v.included} of {v.included + v.notYet} events verified in this browser against the signed tree head of {v.head.treeSize} events
          {v.notYet > 0 ? ` (${v.notYet} recorded after it, not signed yet)` : ''}.{' '}
        </span>
      )}
      Root <code>{String(v.head.rootHash).slice(0, 16)}…</code>, signed {formatInstant(v.head.timestamp)}.
    </aside>
  );
}
