import type { EventStore } from '@agreements/event-store';
import type { AgreementFilter } from './read-model.port';
import type { ReadModelStore } from './store/read-model-store';
import { generationTables, MIGRATIONS } from './store/schema';
import { BACKENDS } from './testing/backends';
import { type LiveProjection, startLiveProjection, stopLiveProjection } from './testing/live-projection';
import { agreementPath, command, playScenario, runCommand, type ScenarioStep } from './testing/scenario';
import jcpoaParis from '../../../examples/jcpoa-paris-2015.json';

/**
 * Lists at a time (asOf, knownAt), boundParty, groups in party filters and the timeline's parties,
 * on the JCPOA and Paris scenario as the file records it (late facts included), on both backends.
 */

const STEPS = jcpoaParis.steps as ScenarioStep[];
/** The step that records the USA leaving the Paris Agreement again (27 January 2026). */
const SECOND_PARIS_EXIT = STEPS.findIndex((step) => step.path.includes('paris-agreement') && step.body.type === 'RecordWithdrawal' && step.body.occurredAt === '2026-01-27');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectChained(intervals: Array<{ from: string; to: string | null }>) {
  expect(intervals.length).toBeGreaterThan(0);
  intervals.forEach((interval, i) => {
    if (i + 1 < intervals.length) {
      expect(interval.to).toBe(intervals[i + 1].from);
      expect(Date.parse(interval.from)).toBeLessThan(Date.parse(interval.to as string));
    } else {
      expect(interval.to).toBeNull();
    }
  });
}

describe.each(BACKENDS)('lists and timelines at a time, on %s', (backendName) => {
  let live: LiveProjection;
  let events: EventStore;
  let store: ReadModelStore;
  /** Recorded time after every step but the USA's second exit from Paris. */
  let beforeSecondExitWasKnown: string;

  beforeAll(async () => {
    live = await startLiveProjection(backendName, { batchSize: 9 });
    ({ events, store } = live);
    await playScenario(events, STEPS.slice(0, SECOND_PARIS_EXIT));
    await sleep(15);
    beforeSecondExitWasKnown = new Date().toISOString();
    await sleep(15);
    await playScenario(events, STEPS.slice(SECOND_PARIS_EXIT));
    await live.projector.waitUntilCaughtUp(20_000);
  });
  afterAll(() => stopLiveProjection(live));

  const ids = async (filter: AgreementFilter, limit = 50) => (await store.queries.listAgreements(filter, { limit })).items.map((v) => v.agreementId);

  it('given the scenario, SECOND_PARIS_EXIT names a step of it', () => {
    expect(SECOND_PARIS_EXIT).toBeGreaterThan(0);
  });

  it('party=FRA finds the JCPOA through the E3 it is a member of, and the Paris Agreement it is a party to; party=group:e3 the JCPOA only', async () => {
    expect(await ids({ party: 'FRA' })).toEqual(['jcpoa', 'paris-agreement']);
    expect(await ids({ party: 'DEU' })).toEqual(['jcpoa']);
    expect(await ids({ party: 'group:e3' })).toEqual(['jcpoa']);
    expect(await ids({ party: 'FRA', asOf: '2016-01-01' })).toEqual(['jcpoa', 'paris-agreement']);
  });

  it('boundParty=USA&inForceOn=2019-01-01: the Paris Agreement (ratified), not the JCPOA it left in May 2018', async () => {
    expect(await ids({ inForceOn: '2019-01-01' })).toEqual(['jcpoa', 'paris-agreement']);
    expect(await ids({ boundParty: 'USA', inForceOn: '2019-01-01' })).toEqual(['paris-agreement']);
    expect(await ids({ boundParty: 'USA', inForceOn: '2017-01-01' })).toEqual(['jcpoa', 'paris-agreement']);
    expect(await ids({ boundParty: 'USA', inForceOn: '2020-12-01' })).toEqual([]);
    expect(await ids({ boundParty: 'USA', inForceOn: '2021-03-01' })).toEqual(['paris-agreement']);
  });

  it('boundParty through a group: Germany is bound by the JCPOA through the E3 while it is in force', async () => {
    expect(await ids({ boundParty: 'DEU', inForceOn: '2019-01-01' })).toEqual(['jcpoa']);
    expect(await ids({ boundParty: 'DEU', inForceOn: '2025-10-01' })).toEqual([]);
  });

  it('boundParty alone: bound now (none for the USA, which left both) or asOf (acceded again in 2021); items are the views of that time', async () => {
    expect(await ids({ boundParty: 'USA' })).toEqual([]);
    const page = await store.queries.listAgreements({ boundParty: 'USA', asOf: '2021-03-01' }, { limit: 10 });
    expect(page.items.map((v) => [v.agreementId, v.status, v.asOf])).toEqual([['paris-agreement', 'in-force', '2021-03-01']]);
    expect(page.items[0]).toEqual(await store.queries.getAgreement('paris-agreement', { asOf: '2021-03-01' }));
  });

  it('boundParty now gives the current views, as a list without it does (a party stays bound by an agreement that expired: it never withdrew)', async () => {
    const page = await store.queries.listAgreements({ boundParty: 'FRA' }, { limit: 10 });
    const plain = await store.queries.listAgreements({ party: 'FRA' }, { limit: 10 });
    expect(page.items.map((v) => [v.agreementId, v.status])).toEqual([
      ['jcpoa', 'expired'],
      ['paris-agreement', 'in-force'],
    ]);
    expect(page.items).toEqual(plain.items);
  });

  it('status asOf: in force on 1 January 2017 both; suspended on 1 October 2025 the JCPOA; expired now', async () => {
    expect(await ids({ status: 'in-force', asOf: '2017-01-01' })).toEqual(['jcpoa', 'paris-agreement']);
    expect(await ids({ status: 'suspended', asOf: '2025-10-01' })).toEqual(['jcpoa']);
    expect(await ids({ status: 'adopted', asOf: '2015-07-31' })).toEqual(['jcpoa']);
    expect(await ids({ status: 'expired' })).toEqual(['jcpoa']);
    expect(await ids({ status: 'expired', asOf: '2025-10-01' })).toEqual([]);
  });

  it('inForceOn with asOf is judged as the agreements stood asOf: nothing after asOf counts', async () => {
    // The JCPOA was in force on 1 January 2017; as of then, it still is on any later day.
    expect(await ids({ inForceOn: '2025-12-01', asOf: '2017-01-01' })).toEqual(['jcpoa', 'paris-agreement']);
    expect(await ids({ inForceOn: '2025-12-01' })).toEqual(['paris-agreement']);
  });

  it('before anything happened (asOf) or was recorded (knownAt), lists are empty', async () => {
    expect(await ids({ asOf: '2015-01-01' })).toEqual([]);
    expect(await ids({ knownAt: '2015-01-01' })).toEqual([]);
  });

  it('knownAt before the USA\'s second exit was recorded: the USA was believed bound by the Paris Agreement now; after, not', async () => {
    expect(await ids({ boundParty: 'USA', knownAt: beforeSecondExitWasKnown })).toEqual(['paris-agreement']);
    expect(await ids({ boundParty: 'USA', knownAt: new Date().toISOString() })).toEqual([]);
    expect(await ids({ boundParty: 'USA', inForceOn: '2026-06-01', knownAt: beforeSecondExitWasKnown })).toEqual(['paris-agreement']);
  });

  it('lists at a time page with the same cursor, each item once', async () => {
    const first = await store.queries.listAgreements({ inForceOn: '2017-01-01', asOf: '2017-01-01' }, { limit: 1 });
    expect(first.items.map((v) => v.agreementId)).toEqual(['jcpoa']);
    expect(first.nextCursor).not.toBeNull();
    const second = await store.queries.listAgreements({ inForceOn: '2017-01-01', asOf: '2017-01-01' }, { limit: 1, cursor: first.nextCursor as string });
    expect([second.items.map((v) => v.agreementId), second.nextCursor]).toEqual([['paris-agreement'], null]);
  });

  it('the timeline gives each party its status intervals, in order, chained, each opened by the event the agreement names', async () => {
    const timeline = (await store.queries.getAgreementTimeline('paris-agreement', {})) as any;
    const usa = timeline.parties.USA;
    expect(usa.map((i: any) => [i.status, i.from])).toEqual([
      ['adopted', '2015-12-12T00:00:00.000Z'],
      ['signed', '2016-04-22T00:00:00.000Z'],
      ['ratified', '2016-09-03T00:00:00.000Z'],
      ['withdrawn', '2020-11-04T00:00:00.000Z'],
      ['acceded', '2021-02-19T00:00:00.000Z'],
      ['withdrawn', '2026-01-27T00:00:00.000Z'],
    ]);
    const view = (await store.queries.getAgreement('paris-agreement', {})) as any;
    expect(Object.keys(timeline.parties)).toEqual(view.parties.map((p: any) => p.id));
    for (const party of view.parties) {
      expectChained(timeline.parties[party.id]);
      expect(timeline.parties[party.id].map((i: any) => i.eventId)).toEqual(party.statusHistory.map((i: any) => i.eventId));
    }
  });

  it('the timeline asOf 1 January 2019 leaves the USA withdrawn from the JCPOA, open; as known before anything was recorded, none', async () => {
    const timeline = (await store.queries.getAgreementTimeline('jcpoa', { asOf: '2019-01-01' })) as any;
    expect(timeline.parties.USA.map((i: any) => [i.status, i.from, i.to])).toEqual([
      ['pending', '2015-04-02T00:00:00.000Z', '2015-07-14T00:00:00.000Z'],
      ['adopted', '2015-07-14T00:00:00.000Z', '2018-05-08T00:00:00.000Z'],
      ['withdrawn', '2018-05-08T00:00:00.000Z', null],
    ]);
    expect(timeline.parties['group:e3'].map((i: any) => i.status)).toEqual(['pending', 'adopted']);
    expect(await store.queries.getAgreementTimeline('jcpoa', { knownAt: '2015-01-01' })).toBeUndefined();
  });

  it('migration 3 gives a generation projected before it the party rows of group members', async () => {
    const t = generationTables(await store.activeGeneration(true));
    await store.writeTransaction((db) => store.sql.run(db, `DELETE FROM ${t.parties} WHERE party_id IN ('FRA', 'DEU', 'GBR') AND agreement_id = 'jcpoa'`));
    expect(await ids({ party: 'DEU' })).toEqual([]);
    const migration = MIGRATIONS.find((m) => m.version === 3)!;
    await store.writeTransaction((db) => migration.up(store.sql, db));
    expect(await ids({ party: 'DEU' })).toEqual(['jcpoa']);
    expect(await ids({ party: 'FRA' })).toEqual(['jcpoa', 'paris-agreement']);
  });
});

describe.each(BACKENDS)('a list known before the drafting was retracted, on %s', (backendName) => {
  let live: LiveProjection;
  let events: EventStore;
  let store: ReadModelStore;
  let beforeRetraction: string;

  beforeAll(async () => {
    live = await startLiveProjection(backendName, { batchSize: 9 });
    ({ events, store } = live);
    const path = agreementPath('never-drafted-after-all');
    const drafted = await runCommand(events, path, command('DraftAgreement', '2017-01', { title: 'A record', kind: 'memorandum', parties: [{ id: 'TUR', name: 'Turkey' }] }));
    await runCommand(events, agreementPath('kept-record'), command('DraftAgreement', '2017-01', { title: 'Kept', kind: 'memorandum', parties: [{ id: 'TUR', name: 'Turkey' }] }));
    await sleep(15);
    beforeRetraction = new Date().toISOString();
    await sleep(15);
    await runCommand(events, path, command('RetractEvent', '2017-02', { targetEventId: drafted.result.events[0].eventId, reason: 'recorded in error' }));
    await live.projector.waitUntilCaughtUp(20_000);
  });
  afterAll(() => stopLiveProjection(live));

  const ids = async (filter: AgreementFilter) => (await store.queries.listAgreements(filter, { limit: 50 })).items.map((v) => v.agreementId);

  it('given a drafting retracted since, when listed as known before the retraction, then it is there; now, it is not', async () => {
    expect(await ids({ knownAt: beforeRetraction })).toEqual(['kept-record', 'never-drafted-after-all']);
    expect(await ids({ party: 'TUR', knownAt: beforeRetraction })).toEqual(['kept-record', 'never-drafted-after-all']);
    expect(await ids({ party: 'TUR' })).toEqual(['kept-record']);
    expect(await ids({ party: 'TUR', asOf: '2017-06' })).toEqual(['kept-record']);
  });
});
