import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type EventStore, type EventToAppend, SqliteEventStore } from '@agreements/event-store';
import { Projector } from './projection/projector';
import { rebuildReadModels, type RebuildProgress } from './projection/rebuild';
import { InvalidCursorError } from './read-model.port';
import type { ReadModelStore } from './store/read-model-store';
import { MIGRATIONS } from './store/schema';
import { BACKENDS, type Backend, createBackend } from './testing/backends';
import { dumpReadModels } from './testing/dump';
import { agreementPath, command, MEMORANDUM, playScenario, processPath, runCommand } from './testing/scenario';
import { appendWorkload, generateWorkload } from './testing/workload';

const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };
const IRN = { id: 'IRN', name: 'Iran' };
const USA = { id: 'USA', name: 'United States' };
const OPPOSITION = { id: 'group:syrian-opposition', name: 'Syrian opposition delegation' };
const XINHUA = [{ publisher: 'Xinhua', url: 'http://www.xinhuanet.com/english/2017-07/06/c_136421889.htm', publishedAt: '2017-07-06' }];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Harness {
  backend: Backend;
  events: EventStore;
  store: ReadModelStore;
  projector: Projector;
  /** Waits until the read models applied everything appended so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function harness(backendName: (typeof BACKENDS)[number], options: { batchSize?: number } = {}): Promise<Harness> {
  const backend = await createBackend(backendName);
  const events = await SqliteEventStore.open({ file: join(backend.dir, 'events.sqlite'), pollIntervalMs: 20 });
  const store = await backend.open();
  const projector = new Projector(events, store, { batchSize: options.batchSize ?? 50, retryDelayMs: 20 });
  await projector.start();
  return {
    backend,
    events,
    store,
    projector,
    settle: () => projector.waitUntilCaughtUp(20_000),
    async close() {
      await projector.stop();
      await events.close();
      await backend.cleanup();
    },
  };
}

/** A moment strictly between two recordings, so knownAt can tell them apart. */
async function pause(): Promise<string> {
  await sleep(15);
  const at = new Date().toISOString();
  await sleep(15);
  return at;
}

function expectChained(intervals: Array<{ from: string; to: string | null }>) {
  expect(intervals.length).toBeGreaterThan(0);
  for (let i = 0; i < intervals.length; i += 1) {
    if (i + 1 < intervals.length) {
      expect(intervals[i].to).toBe(intervals[i + 1].from);
      expect(Date.parse(intervals[i].from)).toBeLessThan(Date.parse(intervals[i].to as string));
    } else {
      expect(intervals[i].to).toBeNull();
    }
  }
}

describe.each(BACKENDS)('read models on %s', (backendName) => {
  describe('the Astana scenario (Xinhua, 6 July 2017)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness(backendName, { batchSize: 7 });
      await playScenario(h.events);
      await h.settle();
    });
    afterAll(() => h.close());

    it('on 1 June 2017 the memorandum is in force and contested, and all four zones exist', async () => {
      const view = (await h.store.queries.getAgreement(MEMORANDUM, { asOf: '2017-06-01' })) as any;
      expect(view.status).toBe('in-force');
      expect(view.contested).toBe(true);
      expect(view.provisions.map((p: any) => p.provisionId)).toEqual(['idlib', 'northern-homs', 'eastern-ghouta', 'south']);
      expect(view.provisions.every((p: any) => p.kind === 'zone' && p.status === 'planned')).toBe(true);
      expect(view.asOf).toBe('2017-06-01');
      expect(view.knownAt).toBeNull();
      expect(view.processId).toBe('astana');
    });

    it('as of 5 May 2017 it is signed, not yet in force (it took effect on the 6th)', async () => {
      const view = (await h.store.queries.getAgreement(MEMORANDUM, { asOf: '2017-05-05' })) as any;
      expect(view.status).toBe('signed');
      // v2: each party also carries its statusHistory.
      expect(view.parties.map(({ id, name, status }: { id: string; name: string; status: string }) => ({ id, name, status }))).toEqual(
        expect.arrayContaining([
          { id: 'RUS', name: 'Russia', status: 'signed' },
          { id: 'group:syrian-opposition', name: 'Syrian opposition delegation', status: 'rejected' },
        ]),
      );
    });

    it('before it was drafted (business time) there is no memorandum', async () => {
      expect(await h.store.queries.getAgreement(MEMORANDUM, { asOf: '2017-04' })).toBeUndefined();
      expect(await h.store.queries.getAgreementTimeline(MEMORANDUM, { asOf: '2017-04-30' })).toBeUndefined();
      // asOf 2017-05 means the end of May: the May drafting counts.
      expect(((await h.store.queries.getAgreement(MEMORANDUM, { asOf: '2017-05' })) as any).status).toBe('in-force');
    });

    it('before anything was recorded (knownAt) there is no memorandum either', async () => {
      expect(await h.store.queries.getAgreement(MEMORANDUM, { knownAt: '2017-07-06T00:00:00Z' })).toBeUndefined();
      expect(await h.store.queries.getProcess('astana', { knownAt: '2001' })).toBeUndefined();
    });

    it('the current memorandum: term, parties, revision, and the joint working group formed at round 5', async () => {
      const view = (await h.store.queries.getAgreement(MEMORANDUM, {})) as any;
      expect(view).toMatchObject({
        agreementId: MEMORANDUM,
        kind: 'memorandum',
        status: 'in-force',
        contested: true,
        revision: 8,
        supersededBy: null,
        asOf: null,
        knownAt: null,
      });
      expect(view.term).toMatchObject({ renewal: 'by-consensus', endsAt: '2017-11-05T23:59:59.999Z', extensions: [] });
      expect(view.workingGroups).toEqual([
        { workingGroupId: 'deescalation-joint-working-group', name: 'Joint working group on de-escalation zones', processId: 'astana', status: 'active' },
      ]);
    });

    it('the working group shows up from its formation on 5 July 2017, not before', async () => {
      const june = (await h.store.queries.getAgreement(MEMORANDUM, { asOf: '2017-06-01' })) as any;
      expect(june.workingGroups).toEqual([]);
      const july = (await h.store.queries.getAgreement(MEMORANDUM, { asOf: '2017-07-05' })) as any;
      expect(july.workingGroups.map((g: any) => g.workingGroupId)).toEqual(['deescalation-joint-working-group']);
    });

    it('the process: round 6 scheduled for August 2017 (month precision) is the next round; round 5 was held 4-5 July', async () => {
      const view = (await h.store.queries.getProcess('astana', {})) as any;
      expect(view.nextRound).toMatchObject({ roundId: 'round-6', ordinal: 6, window: '2017-08', precision: 'month', earliest: '2017-08-01T00:00:00.000Z' });
      const round5 = view.rounds.find((r: any) => r.roundId === 'round-5');
      expect(round5).toMatchObject({ status: 'concluded', heldFrom: '2017-07-04', heldTo: '2017-07-05', firstScheduledWindow: '2017-07-04/2017-07-05', postponements: [] });
      expect(view.rounds.find((r: any) => r.roundId === 'round-6')).toMatchObject({ status: 'scheduled', scheduledWindow: '2017-08' });
      const roles = (role: string) => view.participants.filter((p: any) => p.role === role).map((p: any) => p.id);
      expect(roles('guarantor')).toEqual(['RUS', 'TUR', 'IRN']);
      expect(roles('party')).toEqual(['gov:syrian-government', 'group:syrian-opposition']);
      expect(roles('observer')).toEqual(['igo:un', 'USA', 'JOR']);
      expect(Object.keys(view.participantsByRole)).toEqual(['party', 'guarantor', 'observer']);
      expect(view.participantsByRole.guarantor.map((p: any) => p.id)).toEqual(['RUS', 'TUR', 'IRN']);
      expect(view.workingGroups).toEqual([expect.objectContaining({ workingGroupId: 'deescalation-joint-working-group', status: 'active', agreementIds: [MEMORANDUM] })]);
      expect(view.documents.map((d: any) => d.documentId)).toEqual(['deescalation-doc-1', 'deescalation-doc-2', 'deescalation-doc-3']);
      expect(view.revision).toBe(17);
    });

    it('the process as of June 2017: round 5 scheduled and next, no working group yet', async () => {
      const view = (await h.store.queries.getProcess('astana', { asOf: '2017-06' })) as any;
      expect(view.nextRound).toMatchObject({ roundId: 'round-5', precision: 'interval' });
      expect(view.workingGroups).toEqual([]);
      expect(view.asOf).toBe('2017-06');
    });

    it('the timeline: draft (May 2017, month precision), signed on 4 May, in force from 6 May, each with its event and sources', async () => {
      const timeline = (await h.store.queries.getAgreementTimeline(MEMORANDUM, {})) as any;
      expect(timeline.statuses.map((s: any) => [s.status, s.from, s.to, s.precision, s.occurredAt])).toEqual([
        ['draft', '2017-05-01T00:00:00.000Z', '2017-05-04T00:00:00.000Z', 'month', '2017-05'],
        ['signed', '2017-05-04T00:00:00.000Z', '2017-05-06T00:00:00.000Z', 'day', '2017-05-04'],
        ['in-force', '2017-05-06T00:00:00.000Z', null, 'day', '2017-05-06'],
      ]);
      const history = await h.events.readStream(`agreement-${MEMORANDUM}`);
      expect(timeline.statuses.map((s: any) => s.eventId)).toEqual(
        ['AgreementDrafted', 'MemorandumSigned', 'AgreementEnteredIntoForce'].map((type) => history.find((e) => e.type === type)!.eventId),
      );
      expect(timeline.statuses[1].sources).toEqual(XINHUA);
      expect(Object.keys(timeline.provisions)).toEqual(['idlib', 'northern-homs', 'eastern-ghouta', 'south']);
      expect(timeline.provisions.idlib).toEqual([expect.objectContaining({ status: 'planned', from: '2017-05-04T00:00:00.000Z', to: null, precision: 'day' })]);
      expectChained(timeline.statuses);
    });

    it('lists the memorandum by status, party (even a rejecting stakeholder), process, kind and in force on a date', async () => {
      const ids = async (filter: object) => (await h.store.queries.listAgreements(filter, { limit: 10 })).items.map((v) => v.agreementId);
      expect(await ids({ status: 'in-force', party: 'RUS', processId: 'astana', kind: 'memorandum', inForceOn: '2017-06-01' })).toEqual([MEMORANDUM]);
      expect(await ids({ party: 'group:syrian-opposition' })).toEqual([MEMORANDUM]);
      expect(await ids({ inForceOn: '2017-05-05' })).toEqual([]);
      expect(await ids({ inForceOn: '2017-05' })).toEqual([MEMORANDUM]);
      expect(await ids({ party: 'USA' })).toEqual([]);
    });

    it('checkpoint() is the position of the last event: what Min-Position waits for', async () => {
      expect(await h.store.queries.checkpoint()).toBe(await h.events.headPosition());
    });
  });

  describe('corrections and retractions, with asOf and knownAt', () => {
    let h: Harness;
    const id = 'correction-test-ceasefire';
    let inForceEventId: string;
    let correctionId: string;
    let provisionEventId: string;
    let beforeCorrection: string;
    let afterCorrection: string;
    let afterRetraction: string;
    let firstRecorded: string;

    beforeAll(async () => {
      h = await harness(backendName);
      const path = agreementPath(id);
      await runCommand(h.events, path, command('DraftAgreement', '2017-01', { title: 'Ceasefire', kind: 'ceasefire', parties: [RUS, TUR] }));
      firstRecorded = (await h.events.readStream(`agreement-${id}`))[0].recordedAt;
      await runCommand(h.events, path, command('SignAgreement', '2017-02-01', { signatories: [RUS, TUR] }));
      inForceEventId = (await runCommand(h.events, path, command('BringIntoForce', '2017-03-01', {}, XINHUA))).result.events[0].eventId;
      provisionEventId = (await runCommand(h.events, path, command('AddProvision', '2017-02-01', { provisionId: 'zone-a', kind: 'zone', title: 'Zone A' })))
        .result.events[0].eventId;
      beforeCorrection = await pause();
      // It entered into force on 15 April, not 1 March: a correction recorded later.
      correctionId = (await runCommand(h.events, path, command('RecordCorrection', '2017-07-01', { targetEventId: inForceEventId, occurredAt: '2017-04-15', reason: 'misdated' })))
        .result.events[0].eventId;
      afterCorrection = await pause();
      await runCommand(h.events, path, command('RetractEvent', '2017-07-02', { targetEventId: provisionEventId, reason: 'never agreed' }));
      afterRetraction = await pause();
      await h.settle();
    });
    afterAll(() => h.close());

    const status = async (time: { asOf?: string; knownAt?: string }) => ((await h.store.queries.getAgreement(id, time)) as any)?.status;

    it('knownAt before the correction still shows the old belief (in force on 15 March); after it, signed', async () => {
      expect(await status({ asOf: '2017-03-15', knownAt: beforeCorrection })).toBe('in-force');
      expect(await status({ asOf: '2017-03-15', knownAt: afterCorrection })).toBe('signed');
      expect(await status({ asOf: '2017-03-15' })).toBe('signed');
      expect(await status({ asOf: '2017-04-15' })).toBe('in-force');
      expect(await status({ asOf: '2017-04-14T23:59:59.999Z' })).toBe('signed');
      expect(await status({})).toBe('in-force');
    });

    it('knownAt alone: what was believed then about now', async () => {
      const before = (await h.store.queries.getAgreement(id, { knownAt: beforeCorrection })) as any;
      expect(before).toMatchObject({ status: 'in-force', enteredIntoForceAt: '2017-03-01', revision: 3, knownAt: beforeCorrection, asOf: null });
      const after = (await h.store.queries.getAgreement(id, { knownAt: afterCorrection })) as any;
      expect(after).toMatchObject({ enteredIntoForceAt: '2017-04-15', revision: 4 });
    });

    it('a retraction removes the provision from its recorded time on; before it, the provision is still there', async () => {
      const provisions = async (time: object) => ((await h.store.queries.getAgreement(id, time)) as any).provisions.map((p: any) => p.provisionId);
      expect(await provisions({ knownAt: afterCorrection })).toEqual(['zone-a']);
      expect(await provisions({ knownAt: afterCorrection, asOf: '2017-02-15' })).toEqual(['zone-a']);
      expect(await provisions({ knownAt: afterRetraction })).toEqual([]);
      expect(await provisions({})).toEqual([]);
      expect(await provisions({ asOf: '2017-02-15' })).toEqual([]);
    });

    it('the timeline knownAt before the correction has in force from 1 March; now from 15 April, opened by the corrected event', async () => {
      const old = (await h.store.queries.getAgreementTimeline(id, { knownAt: beforeCorrection })) as any;
      expect(old.statuses.map((s: any) => [s.status, s.from])).toEqual([
        ['draft', '2017-01-01T00:00:00.000Z'],
        ['signed', '2017-02-01T00:00:00.000Z'],
        ['in-force', '2017-03-01T00:00:00.000Z'],
      ]);
      expect(Object.keys(old.provisions)).toEqual(['zone-a']);
      const now = (await h.store.queries.getAgreementTimeline(id, {})) as any;
      expect(now.statuses[2]).toMatchObject({ status: 'in-force', from: '2017-04-15T00:00:00.000Z', to: null, precision: 'day', eventId: inForceEventId, correctedBy: [correctionId], sources: XINHUA });
      expect(now.statuses[1].to).toBe('2017-04-15T00:00:00.000Z');
      expect(now.provisions).toEqual({});
      expectChained(now.statuses);
    });

    it('the timeline asOf and knownAt together: cut at asOf, as believed at knownAt', async () => {
      const timeline = (await h.store.queries.getAgreementTimeline(id, { asOf: '2017-03-15', knownAt: beforeCorrection })) as any;
      expect(timeline.statuses.map((s: any) => s.status)).toEqual(['draft', 'signed', 'in-force']);
      const corrected = (await h.store.queries.getAgreementTimeline(id, { asOf: '2017-03-15', knownAt: afterCorrection })) as any;
      expect(corrected.statuses.map((s: any) => [s.status, s.to])).toEqual([
        ['draft', '2017-02-01T00:00:00.000Z'],
        ['signed', null],
      ]);
    });

    it('the list filter inForceOn follows the corrected history', async () => {
      const ids = async (inForceOn: string) => (await h.store.queries.listAgreements({ inForceOn }, { limit: 10 })).items.map((v) => v.agreementId);
      expect(await ids('2017-03-15')).toEqual([]);
      expect(await ids('2017-04-15')).toEqual([id]);
    });

    it('before the first event was recorded, nothing', async () => {
      expect(await h.store.queries.getAgreement(id, { knownAt: new Date(Date.parse(firstRecorded) - 1).toISOString() })).toBeUndefined();
      expect(await h.store.queries.getAgreement(id, { knownAt: firstRecorded })).toMatchObject({ status: 'draft' });
    });
  });

  describe('working groups across streams', () => {
    let h: Harness;
    let formedAt: string;
    let beforeCorrection: string;
    beforeAll(async () => {
      h = await harness(backendName);
      for (const id of ['wg-memo-a', 'wg-memo-b', 'wg-memo-c']) {
        await runCommand(h.events, agreementPath(id), command('DraftAgreement', '2017-01', { title: id, kind: 'memorandum', parties: [RUS], processId: 'geneva' }));
      }
      await runCommand(h.events, processPath('geneva'), command('OpenProcess', '2016', { name: 'Geneva talks' }));
      const formed = await runCommand(
        h.events,
        processPath('geneva'),
        command('FormWorkingGroup', '2017-03-10', { workingGroupId: 'ceasefire-task-force', name: 'Ceasefire task force', mandate: 'monitor', members: [RUS, USA], agreementIds: ['wg-memo-a', 'wg-memo-b'] }),
      );
      formedAt = (await h.events.readStream('process-geneva'))[1].recordedAt;
      beforeCorrection = await pause();
      await runCommand(
        h.events,
        processPath('geneva'),
        command('RecordCorrection', '2017-04', { targetEventId: formed.result.events[0].eventId, data: { agreementIds: ['wg-memo-c'] }, reason: 'it serves the third memorandum' }),
      );
      await runCommand(h.events, processPath('geneva'), command('DissolveWorkingGroup', '2017-06-01', { workingGroupId: 'ceasefire-task-force' }));
      await h.settle();
    });
    afterAll(() => h.close());

    const groups = async (id: string, time: object = {}) => ((await h.store.queries.getAgreement(id, time)) as any).workingGroups;

    it('now: the corrected group serves the third memorandum (dissolved since June), not the first two', async () => {
      expect(await groups('wg-memo-c')).toEqual([{ workingGroupId: 'ceasefire-task-force', name: 'Ceasefire task force', processId: 'geneva', status: 'dissolved' }]);
      expect(await groups('wg-memo-a')).toEqual([]);
    });

    it('as known before the correction: it served the first two, and was active', async () => {
      expect(await groups('wg-memo-a', { knownAt: beforeCorrection })).toEqual([expect.objectContaining({ workingGroupId: 'ceasefire-task-force', status: 'active' })]);
      expect(await groups('wg-memo-b', { knownAt: formedAt })).toHaveLength(1);
      expect(await groups('wg-memo-c', { knownAt: beforeCorrection })).toEqual([]);
    });

    it('asOf before it was formed (10 March 2017): none; in May: active', async () => {
      expect(await groups('wg-memo-c', { asOf: '2017-03-09' })).toEqual([]);
      expect(await groups('wg-memo-c', { asOf: '2017-05' })).toEqual([expect.objectContaining({ status: 'active' })]);
    });

    it('lists carry the working groups too', async () => {
      const page = await h.store.queries.listAgreements({ processId: 'geneva' }, { limit: 10 });
      expect(page.items.map((v) => [v.agreementId, (v.workingGroups as unknown[]).length])).toEqual([
        ['wg-memo-a', 0],
        ['wg-memo-b', 0],
        ['wg-memo-c', 1],
      ]);
    });
  });

  describe('lists: filters and cursor paging', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness(backendName);
      const draft = (id: string, kind: string, parties: object[], processId?: string) =>
        runCommand(h.events, agreementPath(id), command('DraftAgreement', '2017-01', { title: id, kind, parties, ...(processId ? { processId } : {}) }));
      await draft('list-a-memo', 'memorandum', [RUS, TUR], 'astana');
      await draft('list-b-ceasefire', 'ceasefire', [RUS, USA], 'geneva');
      await draft('list-c-framework', 'framework', [TUR, IRN], 'astana');
      await draft('list-d-memo', 'memorandum', [IRN]);
      await draft('list-e-protocol', 'protocol', [USA], 'geneva');
      for (const id of ['list-a-memo', 'list-b-ceasefire', 'list-c-framework']) {
        await runCommand(h.events, agreementPath(id), command('SignAgreement', '2017-02', { signatories: [OPPOSITION] }));
      }
      await runCommand(h.events, agreementPath('list-a-memo'), command('BringIntoForce', '2017-05-06', {}));
      await runCommand(h.events, agreementPath('list-a-memo'), command('SuspendAgreement', '2017-09-01', {}));
      await runCommand(h.events, agreementPath('list-b-ceasefire'), command('BringIntoForce', '2017-06-15', {}));
      await runCommand(h.events, agreementPath('list-c-framework'), command('BringIntoForce', '2018', {}));
      await h.settle();
    });
    afterAll(() => h.close());

    const ids = async (filter: object, limit = 50) => (await h.store.queries.listAgreements(filter, { limit })).items.map((v) => v.agreementId);

    it('filters by status, kind, process and party, alone and together', async () => {
      expect(await ids({})).toEqual(['list-a-memo', 'list-b-ceasefire', 'list-c-framework', 'list-d-memo', 'list-e-protocol']);
      expect(await ids({ status: 'in-force' })).toEqual(['list-b-ceasefire', 'list-c-framework']);
      expect(await ids({ status: 'suspended' })).toEqual(['list-a-memo']);
      expect(await ids({ kind: 'memorandum' })).toEqual(['list-a-memo', 'list-d-memo']);
      expect(await ids({ processId: 'geneva' })).toEqual(['list-b-ceasefire', 'list-e-protocol']);
      expect(await ids({ party: 'USA' })).toEqual(['list-b-ceasefire', 'list-e-protocol']);
      expect(await ids({ party: 'group:syrian-opposition' })).toEqual(['list-a-memo', 'list-b-ceasefire', 'list-c-framework']);
      expect(await ids({ party: 'USA', processId: 'geneva', kind: 'protocol' })).toEqual(['list-e-protocol']);
      expect(await ids({ status: 'draft', kind: 'ceasefire' })).toEqual([]);
    });

    it('inForceOn: in force at the end of the period named, suspensions and later entries excluded', async () => {
      expect(await ids({ inForceOn: '2017-06-01' })).toEqual(['list-a-memo']);
      expect(await ids({ inForceOn: '2017-06' })).toEqual(['list-a-memo', 'list-b-ceasefire']);
      expect(await ids({ inForceOn: '2017-10' })).toEqual(['list-b-ceasefire']);
      expect(await ids({ inForceOn: '2018-01-01' })).toEqual(['list-b-ceasefire', 'list-c-framework']);
      expect(await ids({ inForceOn: '2017-06', kind: 'ceasefire' })).toEqual(['list-b-ceasefire']);
    });

    it('pages with an opaque cursor until nextCursor is null, each item once', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await h.store.queries.listAgreements({}, { limit: 2, cursor });
        seen.push(...page.items.map((v) => v.agreementId as string));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
        if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(['list-a-memo', 'list-b-ceasefire', 'list-c-framework', 'list-d-memo', 'list-e-protocol']);
      const filtered = await h.store.queries.listAgreements({ kind: 'memorandum' }, { limit: 1 });
      expect(filtered.items.map((v) => v.agreementId)).toEqual(['list-a-memo']);
      const rest = await h.store.queries.listAgreements({ kind: 'memorandum' }, { limit: 1, cursor: filtered.nextCursor! });
      expect(rest).toEqual({ items: [expect.objectContaining({ agreementId: 'list-d-memo' })], nextCursor: null });
    });

    it('a cursor it did not make is refused with InvalidCursorError', async () => {
      await expect(h.store.queries.listAgreements({}, { limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(h.store.queries.listAgreements({}, { limit: 2, cursor: 'a b' })).rejects.toBeInstanceOf(InvalidCursorError);
      const processCursor = Buffer.from(JSON.stringify(['processes', 'astana'])).toString('base64url');
      await expect(h.store.queries.listAgreements({}, { limit: 2, cursor: processCursor })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('lists processes a page at a time', async () => {
      for (const id of ['proc-a', 'proc-b', 'proc-c']) await runCommand(h.events, processPath(id), command('OpenProcess', '2017', { name: id }));
      await h.settle();
      const first = await h.store.queries.listProcesses({ limit: 2 });
      expect(first.items.map((v) => v.processId)).toEqual(['proc-a', 'proc-b']);
      const second = await h.store.queries.listProcesses({ limit: 2, cursor: first.nextCursor! });
      expect(second).toEqual({ items: [expect.objectContaining({ processId: 'proc-c', asOf: null })], nextCursor: null });
    });

    it('list items are the same views a single read gives', async () => {
      const [item] = (await h.store.queries.listAgreements({ kind: 'ceasefire' }, { limit: 1 })).items;
      expect(item).toEqual(await h.store.queries.getAgreement('list-b-ceasefire', {}));
    });
  });

  describe('projection, rebuild and lag', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(backendName, { batchSize: 13 });
    });
    afterEach(() => h.close());

    it('read-your-writes: after a command, checkpoint() reaches its position', async () => {
      await playScenario(h.events);
      const outcome = await runCommand(h.events, agreementPath(MEMORANDUM), command('AssessProvision', '2017-07', { provisionId: 'idlib', status: 'operating', level: 2 }));
      const deadline = Date.now() + 5000;
      let checkpoint: string | undefined;
      while (Date.now() < deadline) {
        checkpoint = await h.store.queries.checkpoint();
        if (checkpoint !== undefined && h.events.comparePositions(checkpoint, outcome.result.position) >= 0) break;
        await sleep(5);
      }
      expect(checkpoint).toBe(outcome.result.position);
      const view = (await h.store.queries.getAgreement(MEMORANDUM, {})) as any;
      expect(view.provisions[0]).toMatchObject({ provisionId: 'idlib', status: 'operating', level: 2 });
      expect(view.revision).toBe(outcome.result.revision);
    });

    it('a rebuild gives exactly what live projection gave, and switches over while the old tables keep serving', async () => {
      await playScenario(h.events);
      await appendWorkload(h.events, generateWorkload({ seed: 3, agreements: 40, processes: 6, eventsPerAgreement: 25, eventsPerProcess: 15 }));
      await h.settle();
      const live = await dumpReadModels(h.store);
      const liveAnswers = await answers(h.store);
      const progress: RebuildProgress[] = [];
      const summary = await rebuildReadModels(h.events, h.store, { batchSize: 97, onProgress: (p) => progress.push(p) });
      expect(summary).toMatchObject({ generation: 2, previousGeneration: 1, events: Number(await h.events.headPosition()) });
      expect(summary.eventsPerSecond).toBeGreaterThan(0);
      expect(summary.seconds).toBeGreaterThan(0);
      expect(summary.copy).toBe(backendName === 'sqlite' ? 'sqlite-attach' : 'read-and-insert');
      expect(progress.filter((p) => p.phase === 'loading').length).toBeGreaterThan(3);
      expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(['loading', 'indexing', 'materializing', 'switching']));
      const streams = new Set((await h.events.readAll()).map((event) => event.streamId)).size;
      expect(progress[progress.length - 1]).toMatchObject({ phase: 'switching', streams });
      const materializing = progress.filter((p) => p.phase === 'materializing');
      expect(materializing[materializing.length - 1]).toMatchObject({ streams, events: summary.events });
      const rebuilt = await dumpReadModels(h.store);
      expect(rebuilt).toEqual(live);
      expect(await answers(h.store)).toEqual(liveAnswers);
      expect((await h.store.generations()).map((g) => [g.generation, g.status])).toEqual([[2, 'active']]);

      // The other ways give the same rows: the copy through the event store's port (views then
      // folded from the copy, on threads or on this one).
      for (const way of [{ attach: false }, { attach: false, workers: 0 }, { workers: 0, chunkStreams: 7 }]) {
        const again = await rebuildReadModels(h.events, h.store, { batchSize: 101, ...way });
        expect(again.copy).toBe('read-and-insert');
        expect(await dumpReadModels(h.store)).toEqual(live);
      }

      // The live projector follows the newest generation.
      await runCommand(h.events, agreementPath(MEMORANDUM), command('AssessProvision', '2017-08', { provisionId: 'south', status: 'violated' }));
      await h.settle();
      expect(((await h.store.queries.getAgreement(MEMORANDUM, {})) as any).provisions[3].status).toBe('violated');
      expect((await h.store.activeCheckpoint()).generation).toBe(5);
    });

    it('the views projected incrementally equal the streams folded at query time, for every agreement and process', async () => {
      await playScenario(h.events);
      await appendWorkload(h.events, generateWorkload({ seed: 21, agreements: 40, processes: 8, eventsPerAgreement: 40, eventsPerProcess: 20 }));
      await h.settle();
      const agreements = (await h.store.queries.listAgreements({}, { limit: 1000 })).items;
      expect(agreements.length).toBeGreaterThan(30);
      const farFuture = { asOf: '9999', knownAt: '9999' };
      for (const current of agreements) {
        const folded = await h.store.queries.getAgreement(current.agreementId as string, farFuture);
        expect({ ...folded, asOf: null, knownAt: null }).toEqual(current);
        // inForceOn (from the projected intervals) agrees with the timeline (folded now).
        const timeline = (await h.store.queries.getAgreementTimeline(current.agreementId as string, {})) as any;
        for (const interval of timeline.statuses) {
          const inForce = await h.store.queries.listAgreements({ inForceOn: interval.from, processId: current.processId as string | undefined }, { limit: 1000 });
          expect(inForce.items.some((item) => item.agreementId === current.agreementId)).toBe(interval.status === 'in-force');
        }
      }
      const processes = (await h.store.queries.listProcesses({ limit: 1000 })).items;
      for (const current of processes) {
        const folded = await h.store.queries.getProcess(current.processId as string, farFuture);
        expect({ ...folded, asOf: null, knownAt: null }).toEqual(current);
      }
    });

    it('queries keep answering from the old generation during a rebuild', async () => {
      await playScenario(h.events);
      await appendWorkload(h.events, generateWorkload({ seed: 5, agreements: 30, processes: 3, eventsPerAgreement: 20 }));
      await h.settle();
      const before = await h.store.queries.getAgreement(MEMORANDUM, { asOf: '2017-06-01' });
      const during: unknown[] = [];
      const pending: Array<Promise<unknown>> = [];
      await rebuildReadModels(h.events, h.store, {
        batchSize: 50,
        onProgress: () => {
          pending.push(h.store.queries.getAgreement(MEMORANDUM, { asOf: '2017-06-01' }).then((v) => during.push(v)));
        },
      });
      await Promise.all(pending);
      expect(during.length).toBeGreaterThan(3);
      for (const view of during) expect(view).toEqual(before);
    });

    it('a rebuild while commands keep coming in switches over without losing any of them', async () => {
      await playScenario(h.events);
      await appendWorkload(h.events, generateWorkload({ seed: 13, agreements: 30, processes: 4, eventsPerAgreement: 20 }));
      await h.settle();
      const writes: Array<Promise<unknown>> = [];
      let n = 0;
      await rebuildReadModels(h.events, h.store, {
        batchSize: 60,
        onProgress: () => {
          n += 1;
          writes.push(runCommand(h.events, agreementPath(MEMORANDUM), command('ReportBreach', `2017-06-${String((n % 28) + 1).padStart(2, '0')}`, { allegedBy: OPPOSITION, description: `breach ${n}` })));
        },
      });
      await Promise.all(writes);
      await h.settle();
      const view = (await h.store.queries.getAgreement(MEMORANDUM, {})) as any;
      expect(view.breaches).toHaveLength(n);
      const afterSwitch = await dumpReadModels(h.store);
      await rebuildReadModels(h.events, h.store);
      expect(await dumpReadModels(h.store)).toEqual(afterSwitch);
    });

    it('a rebuild that fails leaves the active read models as they were, and drops what it built', async () => {
      await playScenario(h.events);
      await h.settle();
      const before = await dumpReadModels(h.store);
      let reads = 0;
      const failing = new Proxy(h.events, {
        get(target, property, receiver) {
          if (property === 'readAll') {
            return async (...args: Parameters<EventStore['readAll']>) => {
              reads += 1;
              if (reads === 3) throw new Error('event store unreachable');
              return target.readAll(...args);
            };
          }
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      await expect(rebuildReadModels(failing, h.store, { batchSize: 5, attach: false })).rejects.toThrow('event store unreachable');
      expect((await h.store.generations()).map((g) => [g.generation, g.status])).toEqual([[1, 'active']]);
      expect(await dumpReadModels(h.store)).toEqual(before);
      await rebuildReadModels(h.events, h.store);
      expect(await dumpReadModels(h.store)).toEqual(before);
    });

    it('a rebuild that meets an event it cannot read fails, whichever way it reads, and leaves the active read models alone', async () => {
      await playScenario(h.events);
      await h.settle();
      await h.projector.stop();
      const before = await dumpReadModels(h.store);
      // A row no append could write: its data is not JSON.
      const raw = new Database(join(h.backend.dir, 'events.sqlite'));
      raw.prepare(`UPDATE events SET data = '{"broken' WHERE position = 20`).run();
      raw.close();
      for (const way of [{}, { attach: false }, { attach: false, workers: 0 }]) {
        await expect(rebuildReadModels(h.events, h.store, way)).rejects.toThrow(/JSON/);
        expect((await h.store.generations()).map((g) => [g.generation, g.status])).toEqual([[1, 'active']]);
        expect(await dumpReadModels(h.store)).toEqual(before);
      }
    });

    it('streams that are not agreements or processes are left out of a rebuild as of live projection', async () => {
      await playScenario(h.events);
      // Ids the SQLite copy's prefix filter lets through but parseStreamId refuses, and another kind.
      for (const streamId of ['agreement-Not_A_Slug', 'process-', 'treaty-x']) {
        const event = { eventId: randomUUID(), type: 'AgreementDrafted', data: { title: 'x' }, metadata: { occurredAt: '2017-01-01', sources: [] } };
        await h.events.append(streamId, [event as unknown as EventToAppend], { expectedRevision: 'any' });
      }
      await h.settle();
      const live = await dumpReadModels(h.store);
      for (const way of [{}, { attach: false }, { attach: false, workers: 0 }]) {
        const summary = await rebuildReadModels(h.events, h.store, way);
        expect(summary.events).toBe(Number(await h.events.headPosition()));
        expect(await dumpReadModels(h.store)).toEqual(live);
      }
    });

    it('applying the same events again changes nothing (replay-safe)', async () => {
      await playScenario(h.events);
      await h.settle();
      await h.projector.stop();
      const first = await dumpReadModels(h.store);
      const { generation } = await h.store.activeCheckpoint();
      const { applyBatch } = await import('./projection/apply-batch');
      const { StreamCache } = await import('./projection/stream-cache');
      const all = await h.events.readAll();
      const outcome = await applyBatch(h.store, { generation, mode: 'live' }, all, new StreamCache(generation, undefined), (a, b) => h.events.comparePositions(a, b));
      expect(outcome).toMatchObject({ kind: 'applied', applied: 0, skipped: all.length });
      expect(await dumpReadModels(h.store)).toEqual(first);
      expect((await h.store.generationInfo(generation))?.eventsApplied).toBe(all.length);
    });

    it('two projectors on one store apply each event once', async () => {
      const second = new Projector(h.events, h.store, { batchSize: 5, retryDelayMs: 20 });
      await second.start();
      try {
        await playScenario(h.events);
        await appendWorkload(h.events, generateWorkload({ seed: 9, agreements: 10, processes: 2 }));
        await h.settle();
        await second.waitUntilCaughtUp();
      } finally {
        await second.stop();
      }
      const { generation } = await h.store.activeCheckpoint();
      expect((await h.store.generationInfo(generation))?.eventsApplied).toBe(Number(await h.events.headPosition()));
      const shared = await dumpReadModels(h.store);
      await rebuildReadModels(h.events, h.store);
      expect(await dumpReadModels(h.store)).toEqual(shared);
    });

    it('status: lag in events and ms while behind, 0 when caught up; stuck when it cannot progress', async () => {
      await h.projector.stop();
      await playScenario(h.events);
      const behind = await h.projector.status();
      expect(behind).toMatchObject({ running: false, caughtUp: false, lagEvents: 27, checkpoint: null, headPosition: '27' });
      expect(behind.lagMs).toBeGreaterThanOrEqual(0);

      let failing = true;
      const blocked = new Projector(h.events, h.store, {
        batchSize: 10,
        retryDelayMs: 10,
        stuckAfterMs: 100,
        hooks: {
          beforeCommit: () => {
            if (failing) throw new Error('disk full');
          },
        },
      });
      await blocked.start();
      await sleep(250);
      const stuck = await blocked.status();
      expect(stuck).toMatchObject({ running: true, stuck: true, caughtUp: false, lagEvents: 27, lastError: { message: 'disk full' } });
      expect(stuck.lagMs).toBeGreaterThan(100);
      failing = false;
      await blocked.waitUntilCaughtUp(5000);
      const caughtUp = await blocked.status();
      expect(caughtUp).toMatchObject({ caughtUp: true, lagEvents: 0, lagMs: 0, stuck: false, lastError: null, checkpoint: '27', eventsApplied: 27 });
      await blocked.stop();
    });

    it('onApplied tells about each batch', async () => {
      const batches: number[] = [];
      const unsubscribe = h.projector.onApplied((batch) => batches.push(batch.events));
      await playScenario(h.events);
      await h.settle();
      unsubscribe();
      expect(batches.reduce((a, b) => a + b, 0)).toBe(27);
    });

    it('reopening the store migrates nothing twice', async () => {
      const again = await h.backend.open();
      const versions = await again.sql.all<{ version: number }>(again.reader, 'SELECT version FROM rm_migrations ORDER BY version');
      expect(versions.map((v) => Number(v.version))).toEqual(MIGRATIONS.map((m) => m.version));
      expect((await again.generations()).map((g) => g.generation)).toEqual([1]);
    });
  });
});

/** Answers to the questions the API asks, for comparing two stores. */
async function answers(store: ReadModelStore): Promise<unknown[]> {
  const out: unknown[] = [];
  const page = await store.queries.listAgreements({}, { limit: 1000 });
  for (const item of page.items.slice(0, 15)) {
    const id = item.agreementId as string;
    out.push(item);
    out.push(await store.queries.getAgreement(id, { asOf: '2017-06-01' }));
    out.push(await store.queries.getAgreement(id, { asOf: '2016' }));
    out.push(await store.queries.getAgreementTimeline(id, {}));
  }
  out.push(await store.queries.listAgreements({ inForceOn: '2016-06' }, { limit: 1000 }));
  out.push(await store.queries.listProcesses({ limit: 1000 }));
  return out;
}
