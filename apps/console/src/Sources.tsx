import { formatBusinessTime } from './dates';
import type { Source } from './timeline/model';

/** Only web addresses become links: a source's `uri` could be `javascript:` or `data:` (the CSP would block it; this does not rely on it). */
const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

/** Where a fact came from: each source a link when it has a web URL; "unsourced" said, never hidden. */
export function Sources({ sources }: { sources?: Source[] }) {
  if (!sources || sources.length === 0) return <span class="muted">unsourced</span>;
  return (
    <ul class="sources">
      {sources.map((s, i) => (
        <li key={i}>
          {s.url && isWebUrl(s.url) ? (
            <a href={s.url} rel="noopener noreferrer" target="_blank">
              {s.publisher}
            </a>
          ) : (
            <>
              {s.publisher}
              {s.url && <code> {s.url}</code>}
            </>
          )}
          {s.publishedAt && <span class="muted">, {formatBusinessTime(s.publishedAt)}</span>}
          {s.quote && <q>{s.quote}</q>}
        </li>
      ))}
    </ul>
  );
}
