import { readFileSync } from 'node:fs';
import { advanceState, agreementDecider, agreementView, loadStream, toEventEnvelope } from '@agreements/domain';
import { type RecordedEvent, SqliteEventStore } from '@agreements/event-store';
import { parse } from 'yaml';
import { ASYNCAPI_FILE } from '../asyncapi/generate';
import { asyncApiValidators } from '../testing/asyncapi-validation';
import { type CommandBody, recordAstanaScenario, recordCommand, recordEveryEventType } from '../testing/scenarios';
import { AgreementStatusFolder } from './agreement-status-folder';
import { agreementSummary } from './agreement-summary';

async function storeWith(record: (store: SqliteEventStore) => Promise<unknown>): Promise<{ store: SqliteEventStore; events: RecordedEvent[] }> {
  const store = await SqliteEventStore.open({ file: ':memory:' });
  await record(store);
  return { store, events: await store.readAll() };
}

/** What GET /v1/agreements/{id} shows: agreementView of the whole stream folded by the decider, as of the given event. */
function expectedAfter(events: RecordedEvent[], upTo: RecordedEvent) {
  const stream = events.filter((e) => e.streamId === upTo.streamId && e.revision <= upTo.revision);
  const id = upTo.streamId.slice('agreement-'.length);
  const view = agreementView(loadStream(agreementDecider, stream.map(toEventEnvelope)).state, id);
  return view === null ? null : agreementSummary(view, upTo.position);
}

function lastOfEachAgreement(batch: RecordedEvent[]): RecordedEvent[] {
  const last = new Map<string, RecordedEvent>();
  for (const event of batch) if (event.streamId.startsWith('agreement-')) last.set(event.streamId, event);
  return [...last.values()];
}

describe('agreement summaries for the status topic', () => {
  it('give, per batch, one summary per agreement touched, equal to the view of its stream folded up to the batch, whatever the batch size', async () => {
    const { store, events } = await storeWith((s) => recordEveryEventType(s, 'sum'));
    for (const batchSize of [1, 3, 7, events.length]) {
      const folder = new AgreementStatusFolder(store);
      for (let i = 0; i < events.length; i += batchSize) {
        const batch = events.slice(i, i + batchSize);
        const messages = await folder.statusMessages(batch);
        const expected = lastOfEachAgreement(batch).map((event) => ({
          key: event.streamId.slice('agreement-'.length),
          value: expectedAfter(events, event),
        }));
        expect(messages.map((m) => ({ key: m.key, value: m.value === null ? null : JSON.parse(m.value) }))).toEqual(expected);
      }
    }
    await store.close();
  });

  it('stay exact when the cache is smaller than the agreements, and when a batch comes again (a retry, a replay from an older position)', async () => {
    const { store, events } = await storeWith(async (s) => {
      await recordEveryEventType(s, 'one');
      await recordEveryEventType(s, 'two');
    });
    const folder = new AgreementStatusFolder(store, 1);
    const check = async (batch: RecordedEvent[]) => {
      const messages = await folder.statusMessages(batch);
      const values = messages.map((m) => (m.value === null ? null : JSON.parse(m.value)));
      expect(values).toEqual(lastOfEachAgreement(batch).map((event) => expectedAfter(events, event)));
    };
    for (let i = 0; i < events.length; i += 5) await check(events.slice(i, i + 5));
    await check(events.slice(10, 30));
    await check(events.slice(3, 4));
    await check(events.slice(40));
    expect(folder.size).toBeLessThanOrEqual(1);
    await store.close();
  });

  it('fold facts recorded out of business order again from the events they keep, without reading the store, to the same summary', async () => {
    const { store, events } = await storeWith(async (s) => {
      const parties = [{ id: 'RUS', name: 'Russia' }, { id: 'TUR', name: 'Turkey' }];
      await recordCommand(s, 'agreement', 'late', { type: 'DraftAgreement', occurredAt: '2017-01-10', data: { title: 'Late facts', kind: 'memorandum', parties } });
      await recordCommand(s, 'agreement', 'late', { type: 'AddProvision', occurredAt: '2017-05-04', data: { provisionId: 'b', kind: 'zone', title: 'B' } });
      // Recorded later, dated earlier: it cannot simply follow the fold.
      await recordCommand(s, 'agreement', 'late', { type: 'AddProvision', occurredAt: '2017-03-01', data: { provisionId: 'a', kind: 'zone', title: 'A' } });
    });
    let streamReads = 0;
    const counting = { ...store, readStream: (...args: Parameters<typeof store.readStream>) => ((streamReads += 1), store.readStream(...args)) };
    const folder = new AgreementStatusFolder(counting as typeof store);
    await folder.statusMessages(events.slice(0, 2));
    const [message] = await folder.statusMessages(events.slice(2));
    expect(streamReads).toBe(0);
    expect(JSON.parse(message.value!)).toEqual(expectedAfter(events, events[2]));
    // The third fact could not simply follow: the folder had to fold the stream again.
    const folded = loadStream(agreementDecider, events.slice(0, 2).map(toEventEnvelope)).state;
    expect(advanceState(agreementDecider, folded, [toEventEnvelope(events[2])])).toBeUndefined();
    await store.close();
  });

  it('has the fields of the contract and the values the API shows for the Astana memorandum', async () => {
    const { store, events } = await storeWith(recordAstanaScenario);
    const [message] = await new AgreementStatusFolder(store).statusMessages(events);
    expect(message.key).toBe('astana-deescalation-memorandum');
    const summary = JSON.parse(message.value!);
    expect(Object.keys(summary)).toEqual(['id', 'title', 'kind', 'status', 'adoptedAt', 'contested', 'disputes', 'endorsements', 'parties', 'term', 'revision', 'position']);
    expect(summary).toMatchObject({
      id: 'astana-deescalation-memorandum',
      kind: 'memorandum',
      status: 'in-force',
      contested: true,
      term: { duration: 'P6M', renewal: 'by-consensus', endsAt: '2017-11-05T23:59:59.999Z' },
    });
    expect(summary.parties).toEqual(expect.arrayContaining([{ id: 'group:syrian-opposition', name: expect.any(String), status: 'rejected' }]));
    const last = events.filter((e) => e.streamId === 'agreement-astana-deescalation-memorandum').pop()!;
    expect(summary.revision).toBe(last.revision);
    expect(summary.position).toBe(last.position);
    await store.close();
  });

  it('gives a tombstone for an agreement whose drafting was retracted, and nothing for process streams', async () => {
    const { store, events } = await storeWith((s) => recordEveryEventType(s, 'gone'));
    const messages = await new AgreementStatusFolder(store).statusMessages(events);
    expect(messages.find((m) => m.key === 'retracted-gone')?.value).toBeNull();
    expect(messages.map((m) => m.key).sort()).toEqual(['adopted-gone', 'ceasefire-gone', 'framework-gone', 'memo-gone', 'retracted-gone']);
    const current = await new AgreementStatusFolder(store).currentSummary('memo-gone');
    expect(current?.summary).toEqual(expectedAfter(events, events.filter((e) => e.streamId === 'agreement-memo-gone').pop()!));
    expect(await new AgreementStatusFolder(store).currentSummary('never-was')).toBeUndefined();
    await store.close();
  });

  describe('of a v2 history (adopted, endorsed, a group party, an accession after a withdrawal, a term from a given date, a dispute)', () => {
    const E3 = {
      id: 'group:e3',
      name: 'E3',
      members: [
        { id: 'FRA', name: 'France' },
        { id: 'DEU', name: 'Germany' },
        { id: 'GBR', name: 'United Kingdom' },
      ],
    };
    const IRN = { id: 'IRN', name: 'Iran' };
    const USA = { id: 'USA', name: 'United States' };
    const UNSC = { id: 'igo:unsc', name: 'United Nations Security Council' };
    const ID = 'plan-of-action';
    // Recorded out of business order on purpose: the summary is of the fold, not of the recording.
    const steps: CommandBody[] = [
      { type: 'DraftAgreement', occurredAt: '2015-04-02', data: { title: 'Plan of action', kind: 'comprehensive', parties: [E3, IRN, USA] } },
      { type: 'AdoptAgreement', occurredAt: '2015-07-14', data: { adoptedBy: [E3, IRN, USA], method: 'consensus', place: 'Vienna' } },
      { type: 'BringIntoForce', occurredAt: '2016-01-16', data: {} },
      { type: 'RecordWithdrawal', occurredAt: '2018-05-08', data: { party: USA } },
      { type: 'EndorseAgreement', occurredAt: '2015-07-20', data: { by: UNSC, instrument: 'Resolution 2231 (2015)', url: 'https://undocs.org/S/RES/2231(2015)' } },
      { type: 'SetTerm', occurredAt: '2015-10-18', data: { duration: 'P10Y', from: '2015-10-18', renewal: 'none' } },
      { type: 'RecordAccession', occurredAt: '2021-02-19', data: { party: USA } },
      { type: 'DisputeStatus', occurredAt: '2025-09-28', data: { party: IRN, claim: 'in-force', reason: 'the snapback is void' } },
    ];

    it('given the history recorded out of order, when the relay folds it, then the summary carries the v2 fields with the values the API shows, and matches docs/asyncapi.yaml', async () => {
      const { store, events } = await storeWith(async (s) => {
        for (const body of steps) await recordCommand(s, 'agreement', ID, body);
      });
      const [message] = await new AgreementStatusFolder(store).statusMessages(events);
      const summary = JSON.parse(message.value!);

      expect(summary).toEqual(expectedAfter(events, events[events.length - 1]));
      expect(summary).toMatchObject({
        status: 'in-force',
        adoptedAt: '2015-07-14',
        contested: true,
        disputes: [{ party: IRN, claim: 'in-force', reason: 'the snapback is void', since: '2025-09-28', eventId: events[7].eventId }],
        endorsements: [{ by: UNSC, instrument: 'Resolution 2231 (2015)', url: 'https://undocs.org/S/RES/2231(2015)', at: '2015-07-20', eventId: events[4].eventId }],
        term: { duration: 'P10Y', countedFrom: 'given-date', from: '2015-10-18', renewal: 'none', endsAt: '2025-10-17T23:59:59.999Z', extensions: [] },
      });
      expect(summary.parties).toEqual([
        { id: 'group:e3', name: 'E3', status: 'adopted', members: E3.members },
        { id: 'IRN', name: 'Iran', status: 'adopted' },
        { id: 'USA', name: 'United States', status: 'acceded' },
      ]);
      const validators = asyncApiValidators(parse(readFileSync(ASYNCAPI_FILE, 'utf8')));
      expect(validators.statusProblems(ID, summary)).toEqual([]);
      expect(validators.statusProblems(ID, { ...summary, disputes: [{ ...summary.disputes[0], claim: 'maybe' }] })).not.toEqual([]);
      expect(validators.statusProblems(ID, { ...summary, parties: [{ ...summary.parties[0], statusHistory: [] }] })).not.toEqual([]);
      await store.close();
    });

    it('given the dispute withdrawn, when folded, then the summary has no open dispute and is no longer contested', async () => {
      const { store, events } = await storeWith(async (s) => {
        for (const body of steps) await recordCommand(s, 'agreement', ID, body);
        await recordCommand(s, 'agreement', ID, { type: 'WithdrawDispute', occurredAt: '2025-10-01', data: { party: IRN } });
      });
      const folder = new AgreementStatusFolder(store);
      await folder.statusMessages(events.slice(0, -1));
      const [message] = await folder.statusMessages(events.slice(-1));
      expect(JSON.parse(message.value!)).toMatchObject({ contested: false, disputes: [], revision: steps.length });
      await store.close();
    });
  });
});
