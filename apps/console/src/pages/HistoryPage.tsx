import { Fragment } from 'preact';
import { get, query } from '../api';
import { formatBusinessTime, formatInstant } from '../dates';
import { Problem } from '../Problem';
import { href, type Route } from '../router';
import { Sources } from '../Sources';
import { Scroll } from '../Scroll';
import { useLoad } from '../use-load';
import { LedgerStatus } from './LedgerStatus';

// A stream's events for auditors: who recorded what, when (recorded and business time), from
// which sources; each correction or retraction shown right under the event it corrects.

const isCorrection = (e: any) => e.type === 'EventCorrected' || e.type === 'EventRetracted';

async function allEvents(collection: string, id: string): Promise<any[]> {
  const events: any[] = [];
  for (let from = 0, guard = 0; guard < 100; guard += 1) {
    const page = await get(`/v1/${collection}/${encodeURIComponent(id)}/events${query({ fromRevision: from, limit: 500 })}`);
    events.push(...page.items);
    if (page.nextRevision === null || page.nextRevision === undefined || page.items.length === 0) break;
    from = page.nextRevision;
  }
  return events;
}

function EventRow({ e, corrects }: { e: any; corrects?: boolean }) {
  const m = e.metadata;
  return (
    <tr class={corrects ? 'correction' : e.correctedBy ? 'corrected' : undefined}>
      <td>{e.revision}</td>
      <td>
        {corrects && <span aria-hidden="true">↳ </span>}
        <strong>{e.type}</strong>
        {corrects && <span class="muted"> of revision {e.targetRevision}</span>}
        {corrects && (
          <div class="muted">
            {e.data.occurredAt && `business time now ${formatBusinessTime(e.data.occurredAt)}; `}
            {e.data.data && 'fields corrected; '}
            reason: {e.data.reason}
          </div>
        )}
        {e.correctedBy && <span class="badge contested">corrected later</span>}
        <details>
          <summary>data</summary>
          <pre>{JSON.stringify(e.data, null, 2)}</pre>
        </details>
      </td>
      <td>{m.actor}</td>
      <td>{formatInstant(m.recordedAt)}</td>
      <td>{formatBusinessTime(m.occurredAt)}</td>
      <td>
        <Sources sources={m.sources} />
        {corrects && (
          <div>
            <a href={href(e.streamId.startsWith('agreement-') ? ['agreements', e.streamId.slice('agreement-'.length)] : ['processes', e.streamId.slice('process-'.length)], { knownAt: new Date(Date.parse(m.recordedAt) - 1).toISOString() })}>
              As known before this
            </a>
          </div>
        )}
      </td>
    </tr>
  );
}

export function HistoryPage({ route, kind }: { route: Route; kind: 'agreement' | 'process' }) {
  const id = route.segments[1];
  const collection = kind === 'agreement' ? 'agreements' : 'processes';
  const loaded = useLoad(() => allEvents(collection, id), [id, kind]);
  const events = loaded.data ?? [];
  const revisionOf = new Map(events.map((e) => [e.eventId, e.revision]));
  const correctionsOf = new Map<string, any[]>();
  for (const e of events.filter(isCorrection)) {
    const list = correctionsOf.get(e.data.targetEventId) ?? [];
    list.push({ ...e, targetRevision: revisionOf.get(e.data.targetEventId) });
    correctionsOf.set(e.data.targetEventId, list);
  }
  return (
    <section>
      <h1>History of {id}</h1>
      <p>
        <a href={href([collection, id])}>Back to the {kind}</a>
      </p>
      {events.length > 0 && <LedgerStatus eventIds={events.map((e) => e.eventId)} />}
      <Problem error={loaded.error} title="Could not read the history" />
      <Scroll kind="table" label="Events table">
        <table class="history">
          <caption>{loaded.loading ? 'Loading…' : `${events.length} events, corrections under what they correct`}</caption>
          <thead>
            <tr>
              <th scope="col">Rev.</th>
              <th scope="col">Event</th>
              <th scope="col">Actor</th>
              <th scope="col">Recorded</th>
              <th scope="col">Business time</th>
              <th scope="col">Sources</th>
            </tr>
          </thead>
          <tbody>
            {events
              .filter((e) => !isCorrection(e) || !revisionOf.has(e.data.targetEventId))
              .map((e) => (
                <Fragment key={e.eventId}>
                  <EventRow e={e} />
                  {(correctionsOf.get(e.eventId) ?? []).map((c) => (
                    <EventRow key={c.eventId} e={c} corrects />
                  ))}
                </Fragment>
              ))}
          </tbody>
        </table>
      </Scroll>
    </section>
  );
}
