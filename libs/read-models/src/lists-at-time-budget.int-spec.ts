import type { AgreementFilter } from './read-model.port';
import type { ReadModelStore } from './store/read-model-store';
import { BACKENDS } from './testing/backends';
import { type LiveProjection, startLiveProjection, stopLiveProjection } from './testing/live-projection';
import { agreementPath, command, runCommand } from './testing/scenario';

/**
 * A list at a time folds each agreement it looks at, so one request looks at 1,000 agreements at
 * most: a filter few agreements match ends its page short, with a cursor after the last agreement
 * looked at, and paging on finds every match once.
 */
const AGREEMENTS = 1250;
/** Ids sort in creation order; the treaties are the 3rd, the 1,100th and the last. */
const TREATIES = new Set([3, 1100, AGREEMENTS]);
const idOf = (n: number) => `budget-${String(n).padStart(5, '0')}`;

describe.each(BACKENDS)('lists at a time past the scan budget, on %s', (backendName) => {
  let live: LiveProjection;
  let store: ReadModelStore;

  beforeAll(async () => {
    live = await startLiveProjection(backendName);
    const { events } = live;
    store = live.store;
    for (let n = 1; n <= AGREEMENTS; n += 1) {
      const kind = TREATIES.has(n) ? 'treaty' : 'ceasefire';
      await runCommand(events, agreementPath(idOf(n)), command('DraftAgreement', '2017-05', { title: `Budget ${n}`, kind, parties: [{ id: 'RUS', name: 'Russia' }] }));
    }
    await live.projector.waitUntilCaughtUp(60_000);
  }, 180_000);

  afterAll(() => stopLiveProjection(live));

  async function everyPage(filter: AgreementFilter, limit: number): Promise<Array<{ ids: string[]; more: boolean }>> {
    const pages: Array<{ ids: string[]; more: boolean }> = [];
    let cursor: string | undefined;
    do {
      const page = await store.queries.listAgreements(filter, { limit, cursor });
      pages.push({ ids: page.items.map((view) => view.agreementId as string), more: page.nextCursor !== null });
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return pages;
  }

  it('ends a page short at the budget, with a cursor to go on from, and paging on finds each match once', async () => {
    const pages = await everyPage({ asOf: '2018-01-01', kind: 'treaty' }, 10);
    // 1,000 looked at: the 3rd only; then the rest of the store: the 1,100th and the last.
    expect(pages).toEqual([
      { ids: [idOf(3)], more: true },
      { ids: [idOf(1100), idOf(AGREEMENTS)], more: false },
    ]);
  });

  it('fills pages as before when matches come often enough', async () => {
    const pages = await everyPage({ asOf: '2018-01-01', kind: 'ceasefire' }, 500);
    expect(pages.map((page) => page.ids.length)).toEqual([500, 500, AGREEMENTS - TREATIES.size - 1000]);
    expect(new Set(pages.flatMap((page) => page.ids)).size).toBe(AGREEMENTS - TREATIES.size);
  });
});
