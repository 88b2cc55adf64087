import { useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { get, query, type Session } from '../api';
import { formatBusinessTime, formatInstant } from '../dates';
import { Problem } from '../Problem';
import { href, type Route } from '../router';
import { Sources } from '../Sources';
import { buildTimelineModel, type Marker, segmentStart, statusWords } from '../timeline/model';
import { LanesTimeline, StatusTimeline } from '../timeline/Timeline';
import { Scroll } from '../Scroll';
import { useLoad } from '../use-load';
import { TimeControls } from './TimeControls';

/** Corrections and retractions are history (auditors): drawn at the business time they change. */
async function correctionMarkers(id: string, knownAt: string | null): Promise<Array<Omit<Marker, 'at' | 'atEnd'>>> {
  const events: any[] = [];
  for (let from = 0, guard = 0; guard < 50; guard += 1) {
    const page = await get(`/v1/agreements/${encodeURIComponent(id)}/events${query({ fromRevision: from, limit: 500 })}`);
    events.push(...page.items);
    if (page.nextRevision === null || page.nextRevision === undefined || page.items.length === 0) break;
    from = page.nextRevision;
  }
  const byId = new Map(events.map((e) => [e.eventId, e]));
  return events
    .filter((e) => (e.type === 'EventCorrected' || e.type === 'EventRetracted') && (!knownAt || e.metadata.recordedAt <= knownAt))
    .map((e) => {
      const target = byId.get(e.data.targetEventId);
      const kind = e.type === 'EventCorrected' ? 'correction' : 'retraction';
      return {
        key: `${kind}-${e.eventId}`,
        kind,
        occurredAt: e.data.occurredAt ?? target?.metadata.occurredAt ?? e.metadata.occurredAt,
        text: `${kind} of ${target?.type ?? e.data.targetEventId}: ${e.data.reason}`,
        eventId: e.eventId,
        sources: e.metadata.sources ?? [],
      };
    });
}

export function AgreementPage({ route, session }: { route: Route; session: Session }) {
  const id = route.segments[1];
  const asOf = route.params.get('asOf');
  const knownAt = route.params.get('knownAt');
  const time = query({ asOf, knownAt });
  const loaded = useLoad(async () => {
    const path = `/v1/agreements/${encodeURIComponent(id)}`;
    const [agreement, timeline, corrections] = await Promise.all([
      get(path + time),
      get(`${path}/timeline${time}`),
      session.role === 'auditor' ? correctionMarkers(id, knownAt) : Promise.resolve([]),
    ]);
    performance.mark('timeline-data');
    return { agreement, timeline, corrections };
  }, [id, time, session.role]);
  const [selected, setSelected] = useState<string>();
  const model = useMemo(
    () => loaded.data && buildTimelineModel(loaded.data.timeline, loaded.data.agreement, loaded.data.corrections),
    [loaded.data],
  );
  // Draw time: from the answers' arrival to the page rendered and laid out (reading a box forces
  // the layout); the console bench reads it.
  useLayoutEffect(() => {
    if (!model) return;
    document.querySelector('svg.timeline')?.getBoundingClientRect();
    try {
      performance.measure('timeline-draw', 'timeline-data');
      performance.clearMarks('timeline-data');
    } catch {
      // no mark: a redraw without new data
    }
  }, [model]);
  const select = (key: string) => {
    setSelected(key);
    document.getElementById(`change-${key}`)?.focus();
  };

  const a = loaded.data?.agreement;
  const title = a?.title ?? id;
  if (!loaded.data && loaded.loading) return <p>Loading…</p>;
  return (
    <section>
      <h1>{title}</h1>
      <TimeControls segments={['agreements', id]} asOf={asOf} knownAt={knownAt} />
      {loaded.error && loaded.error.status === 404 && (asOf || knownAt) ? (
        <div role="alert" class="alert">
          No such agreement existed at that time (as of {asOf ?? 'today'}, known at {knownAt ? formatInstant(knownAt) : 'now'}).
        </div>
      ) : (
        <Problem error={loaded.error} title="Could not read the agreement" />
      )}
      {a && model && (
        <>
          <p class="summary">
            <span class={`badge s-${a.status}`}>{statusWords(a.status)}</span> since {formatBusinessTime(a.statusSince)}
            {a.contested && <span class="badge contested">contested</span>} · {a.kind} · revision {a.revision}
            {a.processId && (
              <>
                {' '}
                · process <a href={href(['processes', a.processId])}>{a.processId}</a>
              </>
            )}
            {a.supersededBy && (
              <>
                {' '}
                · superseded by <a href={href(['agreements', a.supersededBy])}>{a.supersededBy}</a>
              </>
            )}
          </p>
          <nav class="actions" aria-label="Agreement actions">
            {session.role === 'operator' && <a href={href(['agreements', id, 'record'])}>Record a command</a>}
            {session.role === 'auditor' && <a href={href(['agreements', id, 'history'])}>History</a>}
          </nav>
          <h2>Timeline</h2>
          <Scroll kind="timeline" label="Timeline">
            <StatusTimeline model={model} onSelect={select} selected={selected} />
            <LanesTimeline model={model} onSelect={select} selected={selected} />
          </Scroll>
          <p class="legend muted">
            A hatched start is as wide as the date is precise (a month-precise date is a month wide). Diamonds: breaches, endorsements, disputes, corrections and retractions. Click a mark to see its sources.
          </p>
          <Changes model={model} selected={selected} />
          <Details agreement={a} />
        </>
      )}
    </section>
  );
}

function Changes({ model, selected }: { model: NonNullable<ReturnType<typeof buildTimelineModel>>; selected?: string }) {
  const rows = [
    ...[model.status, ...model.parties, ...model.provisions].flatMap((lane) =>
      lane.segments.map((s) => ({
        key: s.key,
        at: s.from,
        when: segmentStart(s),
        what: `${lane.label}: ${statusWords(s.status)}`,
        sources: s.sourcesKnown ? s.sources : undefined,
      })),
    ),
    ...model.markers.map((m) => ({
      key: m.key,
      at: m.at,
      when: formatBusinessTime(m.occurredAt),
      what: `${m.kind}: ${m.text}`,
      sources: m.kind === 'correction' || m.kind === 'retraction' || m.sources.length > 0 ? m.sources : undefined,
    })),
  ].sort((x, y) => x.at - y.at);
  return (
    <Scroll kind="table" label="Changes table">
      <table class="changes">
        <caption>Changes and their sources</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Sources</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} id={`change-${r.key}`} tabIndex={-1} class={selected === r.key ? 'selected' : undefined}>
              <td>{r.when}</td>
              <td>{r.what}</td>
              <td>{r.sources ? <Sources sources={r.sources} /> : <span class="muted">in the history</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

function Details({ agreement: a }: { agreement: any }) {
  return (
    <div class="columns">
      <div>
        <h2>Parties</h2>
        <ul>
          {a.parties.map((p: any) => (
            <li key={p.id}>
              {p.name} <code>{p.id}</code>: {statusWords(p.status)}
              {p.members && <span class="muted"> (members: {p.members.map((m: any) => m.name).join(', ')})</span>}
            </li>
          ))}
        </ul>
        {a.disputes.length > 0 && (
          <>
            <h2>Disputes</h2>
            <ul>
              {a.disputes.map((d: any) => (
                <li key={d.eventId}>
                  {d.party.name ?? d.party.id} holds it {statusWords(d.claim)} since {formatBusinessTime(d.since)}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <div>
        <h2>Provisions</h2>
        <ul>
          {a.provisions.map((p: any) => (
            <li key={p.provisionId}>
              {p.title} ({p.kind}): {statusWords(p.status)}
              {p.level !== undefined && `, level ${p.level}`}
            </li>
          ))}
        </ul>
        <h2>Term</h2>
        {a.term ? (
          <p>
            {a.term.duration ?? ''} {a.term.until ? `until ${formatBusinessTime(a.term.until)}` : ''}
            {a.term.endsAt ? `, ends ${formatInstant(a.term.endsAt)}` : ''}; renewal {a.term.renewal}
            {a.term.extensions.length > 0 && `; ${a.term.extensions.length} extension(s)`}
          </p>
        ) : (
          <p class="muted">No term recorded.</p>
        )}
      </div>
    </div>
  );
}
