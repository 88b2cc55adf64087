import { useState } from 'preact/hooks';
import { get, query } from '../api';
import { formatBusinessTime } from '../dates';
import { Problem } from '../Problem';
import { href, navigate, type Route } from '../router';
import { statusWords } from '../timeline/model';
import { Scroll } from '../Scroll';
import { useLoad } from '../use-load';

const STATUSES = ['draft', 'adopted', 'signed', 'in-force', 'suspended', 'expired', 'terminated', 'superseded'];
const KINDS = ['memorandum', 'ceasefire', 'framework', 'comprehensive', 'implementation', 'protocol'];
const FILTERS = ['status', 'party', 'boundParty', 'kind', 'processId', 'inForceOn'] as const;
const LABELS: Record<(typeof FILTERS)[number], string> = {
  status: 'Status',
  party: 'Party',
  boundParty: 'Bound party',
  kind: 'Kind',
  processId: 'Process',
  inForceOn: 'In force on',
};

/** The agreements, filtered as the list API filters, a page at a time (the cursor is in the address). */
export function AgreementList({ route }: { route: Route }) {
  const params = route.params;
  const current = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? '']));
  const [draft, setDraft] = useState(current);
  const cursor = params.get('cursor') ?? undefined;
  const key = params.toString();
  const page = useLoad(() => get(`/v1/agreements${query({ ...current, limit: 25, cursor })}`), [key]);
  const apply = (e: Event) => {
    e.preventDefault();
    navigate(href(['agreements'], draft));
  };
  const field = (f: (typeof FILTERS)[number]) => {
    const id = `filter-${f}`;
    const set = (v: string) => setDraft({ ...draft, [f]: v });
    const options = f === 'status' ? STATUSES : f === 'kind' ? KINDS : undefined;
    return (
      <div class="field" key={f}>
        <label for={id}>{LABELS[f]}</label>
        {options ? (
          <select id={id} value={draft[f]} onChange={(e) => set(e.currentTarget.value)}>
            <option value="">any</option>
            {options.map((o) => (
              <option key={o} value={o}>
                {statusWords(o)}
              </option>
            ))}
          </select>
        ) : (
          f === 'inForceOn' ? (
            <input id={id} type="date" value={draft[f]} onInput={(e) => set(e.currentTarget.value)} />
          ) : (
            <input
              id={id}
              type="text"
              placeholder={f === 'party' || f === 'boundParty' ? 'RUS, igo:un' : undefined}
              value={draft[f]}
              onInput={(e) => set(e.currentTarget.value)}
            />
          )
        )}
      </div>
    );
  };
  return (
    <section>
      <h1>Agreements</h1>
      <form class="filters" onSubmit={apply} aria-label="Filters">
        {FILTERS.map(field)}
        <div class="field actions">
          <button type="submit">Filter</button>
          <a href="#/agreements">Clear</a>
        </div>
      </form>
      <Problem error={page.error} title="Could not list the agreements" />
      <Scroll kind="table" label="Agreements table">
        <table>
          <caption>{page.loading ? 'Loading…' : `${page.data?.items.length ?? 0} agreements on this page`}</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Since</th>
              <th scope="col">Parties</th>
              <th scope="col">Process</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((a: any) => (
              <tr key={a.agreementId}>
                <td>
                  <a href={href(['agreements', a.agreementId])}>{a.title}</a>
                </td>
                <td>{a.kind}</td>
                <td>
                  <span class={`badge s-${a.status}`}>{statusWords(a.status)}</span>
                  {a.contested && <span class="badge contested">contested</span>}
                </td>
                <td>{formatBusinessTime(a.statusSince)}</td>
                <td>{(a.parties ?? []).map((p: any) => p.name).join(', ')}</td>
                <td>{a.processId ? <a href={href(['processes', a.processId])}>{a.processId}</a> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <nav class="pager" aria-label="Pages">
        {cursor && <a href={href(['agreements'], current)}>First page</a>}
        {page.data?.nextCursor && <a href={href(['agreements'], { ...current, cursor: page.data.nextCursor })}>Next page</a>}
      </nav>
    </section>
  );
}
