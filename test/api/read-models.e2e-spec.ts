import { randomUUID } from 'node:crypto';
import { MEMORANDUM, TOKENS, TestApp, astana, dropSchema, readModelBackends, startTestApp } from '../support/app';

const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };
const IRN = { id: 'IRN', name: 'Iran' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cmd = (type: string, occurredAt: string, data: Record<string, unknown>) => ({ type, commandId: randomUUID(), occurredAt, data });

describe.each(readModelBackends())('read models over HTTP on %s: status over time, what we knew when', (_name, backendEnv) => {
  let t: TestApp;
  const env = backendEnv();
  let last = '0';

  async function post(path: string, body: unknown) {
    const r = await t.api.post(path, body);
    expect({ status: r.status, body: r.json }).toEqual({ status: 201, body: expect.anything() });
    last = r.json.position;
    return r.json;
  }
  /** Reads with Min-Position, so each answer includes everything posted before it. */
  const read = (path: string) => t.api.get(path, { headers: { 'min-position': last } });
  const agreement = async (id: string, query = '') => (await read(`/v1/agreements/${id}${query}`)).json;

  beforeAll(async () => {
    t = await startTestApp(env);
    for (const step of astana.steps) await post(step.path, { ...step.body, commandId: randomUUID() });
  });
  afterAll(async () => {
    await t.close();
    if (env.DATABASE_SCHEMA) await dropSchema(env.DATABASE_SCHEMA);
  });

  describe('given the Astana scenario', () => {
    it('on 2017-06-01 the memorandum is in force and contested, and all four zones exist', async () => {
      const m = await agreement(MEMORANDUM, '?asOf=2017-06-01');
      expect(m).toMatchObject({ status: 'in-force', contested: true, asOf: '2017-06-01' });
      expect(m.provisions.map((p: any) => p.provisionId).sort()).toEqual(['eastern-ghouta', 'idlib', 'northern-homs', 'south']);
    });

    it('asOf 2017-05-05 it is signed, not yet in force', async () => {
      expect((await agreement(MEMORANDUM, '?asOf=2017-05-05')).status).toBe('signed');
    });

    it('before its first event on either time axis it does not exist: 404', async () => {
      const early = await read(`/v1/agreements/${MEMORANDUM}?asOf=2017-04`);
      expect([early.status, early.json.error.code]).toEqual([404, 'AGREEMENT_NOT_FOUND']);
      const unknownThen = await read(`/v1/agreements/${MEMORANDUM}?knownAt=2017-09-01T00:00:00Z`);
      expect([unknownThen.status, unknownThen.json.error.code]).toEqual([404, 'AGREEMENT_NOT_FOUND']);
    });

    it('the process shows round 6 scheduled for 2017-08, month precision, as the next round', async () => {
      const p = (await read('/v1/processes/astana')).json;
      expect(p.nextRound).toMatchObject({ roundId: 'round-6', window: '2017-08', precision: 'month' });
      expect(p.rounds.find((r: any) => r.roundId === 'round-5')).toMatchObject({
        status: 'concluded',
        heldFrom: '2017-07-04',
        heldTo: '2017-07-05',
        firstScheduledWindow: '2017-07-04/2017-07-05',
      });
      const roles = Object.fromEntries(p.participants.map((x: any) => [x.id, x.role]));
      expect(roles).toMatchObject({ RUS: 'guarantor', 'igo:un': 'observer', 'gov:syrian-government': 'party' });
    });

    it('the joint working group formed on the process appears on the memorandum', async () => {
      const m = await agreement(MEMORANDUM);
      expect(m.workingGroups).toEqual([
        expect.objectContaining({ workingGroupId: 'deescalation-joint-working-group', name: 'Joint working group on de-escalation zones' }),
      ]);
    });

    it('its timeline is ordered, contiguous and closed except the last interval', async () => {
      const tl = (await read(`/v1/agreements/${MEMORANDUM}/timeline`)).json;
      expect(tl.statuses.map((s: any) => s.status)).toEqual(['draft', 'signed', 'in-force']);
      expect(tl.statuses[0]).toMatchObject({ from: '2017-05-01T00:00:00.000Z', precision: 'month', eventId: expect.any(String) });
      for (let i = 1; i < tl.statuses.length; i++) expect(tl.statuses[i].from).toBe(tl.statuses[i - 1].to);
      expect(tl.statuses.at(-1).to).toBeNull();
      expect(tl.statuses.slice(0, -1).every((s: any) => s.to !== null)).toBe(true);
      expect(tl.statuses[1].sources[0].publisher).toBe('Xinhua');
      expect(Object.keys(tl.provisions).sort()).toEqual(['eastern-ghouta', 'idlib', 'northern-homs', 'south']);
    });
  });

  describe('corrections and retractions, with asOf and knownAt together', () => {
    const ID = 'ceasefire-corrected';
    const path = `/v1/agreements/${ID}/commands`;
    let beforeCorrection: string;
    let beforeRetraction: string;

    beforeAll(async () => {
      await post(path, cmd('DraftAgreement', '2018-01', { title: 'A ceasefire recorded wrongly first', kind: 'ceasefire', parties: [RUS, TUR] }));
      await post(path, cmd('SignAgreement', '2018-02-01', { signatories: [RUS, TUR] }));
      // First reported as in force from 1 March; a later source says 1 April.
      const inForce = await post(path, cmd('BringIntoForce', '2018-03-01', {}));
      const rejection = await post(path, cmd('RecordRejection', '2018-03-05', { party: IRN, reason: 'not consulted' }));
      await sleep(20);
      beforeCorrection = new Date().toISOString();
      await sleep(20);
      await post(path, {
        type: 'RecordCorrection',
        commandId: randomUUID(),
        occurredAt: '2018-05-01',
        data: { targetEventId: inForce.events[0].eventId, occurredAt: '2018-04-01', reason: 'the decree took effect on 1 April' },
      });
      await sleep(20);
      beforeRetraction = new Date().toISOString();
      await sleep(20);
      await post(path, {
        type: 'RetractEvent',
        commandId: randomUUID(),
        occurredAt: '2018-05-02',
        data: { targetEventId: rejection.events[0].eventId, reason: 'misattributed statement' },
      });
    });

    it('now: in force from 1 April, not contested', async () => {
      expect(await agreement(ID, '?asOf=2018-03-15')).toMatchObject({ status: 'signed', contested: false });
      expect(await agreement(ID, '?asOf=2018-04-01')).toMatchObject({ status: 'in-force', contested: false });
    });

    it('as known before the correction: in force on 15 March, and contested', async () => {
      const q = `?asOf=2018-03-15&knownAt=${encodeURIComponent(beforeCorrection)}`;
      expect(await agreement(ID, q)).toMatchObject({ status: 'in-force', contested: true, knownAt: beforeCorrection });
    });

    it('as known between correction and retraction: signed on 15 March, still contested', async () => {
      const q = `?asOf=2018-03-15&knownAt=${encodeURIComponent(beforeRetraction)}`;
      expect(await agreement(ID, q)).toMatchObject({ status: 'signed', contested: true });
    });

    it('the timeline follows the same knowledge', async () => {
      const now = (await read(`/v1/agreements/${ID}/timeline`)).json;
      expect(now.statuses.map((s: any) => [s.status, s.from])).toEqual([
        ['draft', '2018-01-01T00:00:00.000Z'],
        ['signed', '2018-02-01T00:00:00.000Z'],
        ['in-force', '2018-04-01T00:00:00.000Z'],
      ]);
      const then = (await read(`/v1/agreements/${ID}/timeline?knownAt=${encodeURIComponent(beforeCorrection)}`)).json;
      expect(then.statuses.at(-1)).toMatchObject({ status: 'in-force', from: '2018-03-01T00:00:00.000Z', to: null });
    });

    it('the history keeps the corrected event, marked, next to its correction', async () => {
      const h = (await t.api.get(`/v1/agreements/${ID}/events`, { token: TOKENS.auditor })).json;
      const inForce = h.items.find((e: any) => e.type === 'AgreementEnteredIntoForce');
      expect(inForce.metadata.occurredAt).toBe('2018-03-01');
      expect(inForce.correctedBy).toEqual([expect.objectContaining({ type: 'EventCorrected' })]);
      expect(h.items.map((e: any) => e.type)).toContain('EventRetracted');
    });
  });

  describe('lists', () => {
    beforeAll(async () => {
      for (let i = 0; i < 5; i++) {
        const path = `/v1/agreements/list-test-${i}/commands`;
        await post(path, cmd('DraftAgreement', '2019-01', { title: `List ${i}`, kind: i % 2 ? 'protocol' : 'ceasefire', processId: 'astana', parties: [RUS, i < 2 ? TUR : IRN] }));
        if (i >= 2) await post(path, cmd('SignAgreement', '2019-02', { signatories: [RUS] }));
        if (i >= 3) await post(path, cmd('BringIntoForce', '2019-03-01', {}));
      }
    });
    const ids = async (query: string) => {
      const r = await read(`/v1/agreements?${query}`);
      expect(r.status).toBe(200);
      return r.json.items.map((a: any) => a.agreementId).filter((id: string) => id.startsWith('list-test-'));
    };

    it('filters by status, party, process, kind and in force on a date', async () => {
      expect(await ids('status=draft')).toEqual(['list-test-0', 'list-test-1']);
      expect(await ids('status=in-force')).toEqual(['list-test-3', 'list-test-4']);
      expect(await ids('party=TUR')).toEqual(['list-test-0', 'list-test-1']);
      expect(await ids('kind=protocol&processId=astana')).toEqual(['list-test-1', 'list-test-3']);
      expect(await ids('inForceOn=2019-02-15')).toEqual([]);
      expect(await ids('inForceOn=2019-03')).toEqual(['list-test-3', 'list-test-4']);
      const memo = (await read('/v1/agreements?inForceOn=2017-06-01')).json.items.map((a: any) => a.agreementId);
      expect(memo).toContain(MEMORANDUM);
      expect(memo).not.toContain('list-test-3');
    });

    it('pages with a cursor through everything, each item once', async () => {
      const all = (await read('/v1/agreements?limit=500')).json.items.map((a: any) => a.agreementId);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = (await read(`/v1/agreements?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json;
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.items.map((a: any) => a.agreementId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all);
      expect(new Set(paged).size).toBe(paged.length);
    });

    it('refuses a cursor it did not make, and unknown or bad parameters', async () => {
      for (const q of ['cursor=not-a-cursor', 'colour=red', 'inForceOn=2019-02-30', 'limit=0', 'party=russia', 'status=active', 'kind=treaty']) {
        const r = await read(`/v1/agreements?${q}`);
        expect({ q, status: r.status, code: r.json.error?.code }).toEqual({ q, status: 400, code: 'VALIDATION_FAILED' });
      }
    });

    it('lists processes', async () => {
      const r = await read('/v1/processes');
      expect(r.json.items.map((p: any) => p.processId)).toContain('astana');
    });
  });

  describe('read-your-writes', () => {
    it('answers at once when the read models reached Min-Position', async () => {
      const r = await t.api.post(`/v1/agreements/${MEMORANDUM}/commands`, cmd('ReportBreach', '2017-06-10', { allegedBy: TUR, description: 'shelling', provisionId: 'idlib' }));
      const got = await t.api.get(`/v1/agreements/${MEMORANDUM}`, { headers: { 'min-position': r.json.position } });
      expect(got.json.revision).toBe(r.json.revision);
    });

    it('answers 503 with Retry-After when they do not reach it within 5 s', async () => {
      const started = Date.now();
      const r = await t.api.get(`/v1/agreements/${MEMORANDUM}`, { headers: { 'min-position': '999999999' } });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.json.error.code).toBe('READ_MODEL_BEHIND');
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    });

    it('refuses a Min-Position that is not a position: 400', async () => {
      const r = await t.api.get(`/v1/agreements/${MEMORANDUM}`, { headers: { 'min-position': 'abc' } });
      expect(r.status).toBe(400);
    });
  });
});
