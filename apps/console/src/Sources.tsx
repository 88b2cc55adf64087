import { formatBusinessTime } from './dates';
import type { Source } from './timeline/model';

/** Where a fact came from: each source a link when it has a URL; "unsourced" said, never hidden. */
export function Sources({ sources }: { sources?: Source[] }) {
  if (!sources || sources.length === 0) return <span class="muted">unsourced</span>;
  return (
    <ul class="sources">
      {sources.map((s, i) => (
        <li key={i}>
          {s.url ? (
            <a href={s.url} rel="noopener noreferrer" target="_blank">
              {s.publisher}
            </a>
          ) : (
            s.publisher
          )}
          {s.publishedAt && <span class="muted">, {formatBusinessTime(s.publishedAt)}</span>}
          {s.quote && <q>{s.quote}</q>}
        </li>
      ))}
    </ul>
  );
}
