import { Fragment } from 'preact';
import { get, type Session } from '../api';
import { formatBusinessTime } from '../dates';
import { Problem } from '../Problem';
import { href, type Route } from '../router';
import { Scroll } from '../Scroll';
import { useLoad } from '../use-load';
import { RoundsCalendar } from './RoundsCalendar';

export function ProcessPage({ route, session }: { route: Route; session: Session }) {
  const id = route.segments[1];
  const loaded = useLoad(() => get(`/v1/processes/${encodeURIComponent(id)}`), [id]);
  const p = loaded.data;
  if (!p && loaded.loading) return <p>Loading…</p>;
  const byRole: Record<string, any[]> = p?.participantsByRole ?? {};
  return (
    <section>
      <h1>{p?.name ?? id}</h1>
      <Problem error={loaded.error} title="Could not read the process" />
      {p && (
        <>
          <p class="summary">
            {p.status} · opened {formatBusinessTime(p.openedAt)}
            {p.closedAt && ` · closed ${formatBusinessTime(p.closedAt)}`} · revision {p.revision}
            {p.conflict && ` · ${p.conflict}`}
          </p>
          <nav class="actions" aria-label="Process actions">
            {session.role === 'operator' && <a href={href(['processes', id, 'record'])}>Record a command</a>}
            {session.role === 'auditor' && <a href={href(['processes', id, 'history'])}>History</a>}
          </nav>
          <h2>Rounds</h2>
          {p.nextRound ? (
            <p>
              Next round: <strong>{p.nextRound.ordinal ?? p.nextRound.roundId}</strong> in {p.nextRound.venue}, {formatBusinessTime(p.nextRound.window)}
            </p>
          ) : (
            <p class="muted">No round scheduled.</p>
          )}
          <Scroll kind="timeline" label="Rounds calendar">
            <RoundsCalendar rounds={p.rounds} nextRoundId={p.nextRound?.roundId} />
          </Scroll>
          <p class="legend muted">Outline: first scheduled window. Light bar: last scheduled window. Solid bar: held. A line from the first window: the slippage.</p>
          <Scroll kind="table" label="Rounds table">
            <table>
              <caption>Rounds, scheduled and held</caption>
              <thead>
                <tr>
                  <th scope="col">Round</th>
                  <th scope="col">Venue</th>
                  <th scope="col">Status</th>
                  <th scope="col">First scheduled</th>
                  <th scope="col">Scheduled</th>
                  <th scope="col">Postponements</th>
                  <th scope="col">Held</th>
                </tr>
              </thead>
              <tbody>
                {p.rounds.map((r: any) => (
                  <tr key={r.roundId}>
                    <td>{r.ordinal ?? r.roundId}</td>
                    <td>{r.venue}</td>
                    <td>{r.status}</td>
                    <td>{formatBusinessTime(r.firstScheduledWindow)}</td>
                    <td>{formatBusinessTime(r.scheduledWindow)}</td>
                    <td>
                      {r.postponements.length === 0 ? (
                        'none'
                      ) : (
                        <ul class="plain">
                          {r.postponements.map((x: any, i: number) => (
                            <li key={i}>
                              {formatBusinessTime(x.from)} → {formatBusinessTime(x.to)} (announced {formatBusinessTime(x.occurredAt)}
                              {x.reason ? `: ${x.reason}` : ''})
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>{r.heldFrom ? formatBusinessTime(r.heldTo && r.heldTo !== r.heldFrom ? `${r.heldFrom}/${r.heldTo}` : r.heldFrom) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          <div class="columns">
            <div>
              <h2>Participants</h2>
              <dl>
                {Object.entries(byRole).map(([role, list]) => (
                  <Fragment key={role}>
                    <dt>{role}</dt>
                    <dd>{list.map((x) => x.name).join(', ')}</dd>
                  </Fragment>
                ))}
              </dl>
            </div>
            <div>
              <h2>Working groups</h2>
              <ul>
                {p.workingGroups.map((w: any) => (
                  <li key={w.workingGroupId}>
                    {w.name} ({w.status})
                    {w.agreementIds.length > 0 && ' serving '}
                    {w.agreementIds.map((a: string) => (
                      <a key={a} href={href(['agreements', a])}>
                        {a}{' '}
                      </a>
                    ))}
                  </li>
                ))}
              </ul>
              <h2>Documents</h2>
              <ul>
                {p.documents.map((d: any) => (
                  <li key={d.documentId}>
                    {d.title} <span class="muted">({d.topic}; {d.status})</span>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
