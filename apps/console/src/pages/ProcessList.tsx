import { get, query } from '../api';
import { Problem } from '../Problem';
import { href, type Route } from '../router';
import { Scroll } from '../Scroll';
import { useLoad } from '../use-load';

export function ProcessList({ route }: { route: Route }) {
  const cursor = route.params.get('cursor') ?? undefined;
  const page = useLoad(() => get(`/v1/processes${query({ limit: 25, cursor })}`), [cursor]);
  return (
    <section>
      <h1>Processes</h1>
      <Problem error={page.error} title="Could not list the processes" />
      <Scroll kind="table" label="Processes table">
        <table>
          <caption>{page.loading ? 'Loading…' : `${page.data?.items.length ?? 0} processes on this page`}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Rounds</th>
              <th scope="col">Participants</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((p: any) => (
              <tr key={p.processId}>
                <td>
                  <a href={href(['processes', p.processId])}>{p.name}</a>
                </td>
                <td>{p.status}</td>
                <td>{p.rounds?.length ?? ''}</td>
                <td>{p.participants?.length ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <nav class="pager" aria-label="Pages">
        {cursor && <a href="#/processes">First page</a>}
        {page.data?.nextCursor && <a href={href(['processes'], { cursor: page.data.nextCursor })}>Next page</a>}
      </nav>
    </section>
  );
}
