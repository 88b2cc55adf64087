import { type ScenarioFile, type TestApp, dropSchema, readModelBackends, startTestApp } from '../support/app';
import { chronologicalOrder, factNeeds, respectsNeeds, shuffledOrder } from '../support/scenario-orders';

/**
 * The JCPOA and the Paris Agreement (examples/jcpoa-paris-2015.json), replayed over HTTP as the
 * file records them (late facts included), in business order and in seeded shuffles that respect
 * what each fact needs: every step is accepted and every asOf answer is the chronological one.
 */

const scenario: ScenarioFile = require('../../examples/jcpoa-paris-2015.json');
const AGREEMENTS = ['jcpoa', 'paris-agreement'];
const needs = factNeeds(scenario.steps);
const fileOrder = scenario.steps.map((_, i) => i);
const chronological = chronologicalOrder(scenario.steps, needs);
const SEEDS = [7, 1815, 2015, 2231];
/** Every fact's date, a day before the first one, and now. */
const ASKED: Array<string | undefined> = ['2015-01-01', ...new Set(scenario.steps.map((step) => String(step.body.occurredAt))), undefined];

interface Replay {
  t: TestApp;
  /** Each event id, named by its command (event ids are new in each replay; command ids are the file's). */
  eventNames: Map<string, string>;
  lastPosition: string;
}

async function replay(env: Record<string, string>, order: readonly number[]): Promise<Replay> {
  const t = await startTestApp(env);
  const eventNames = new Map<string, string>();
  let lastPosition = '0';
  for (const index of order) {
    const { path, body } = scenario.steps[index];
    const r = await t.api.post(path, body);
    expect({ step: index + 1, type: body.type, status: r.status, error: r.json?.error }).toEqual({ step: index + 1, type: body.type, status: 201, error: undefined });
    r.json.events.forEach((event: { eventId: string }, n: number) => eventNames.set(event.eventId, `${body.commandId}#${n}`));
    lastPosition = r.json.position;
  }
  return { t, eventNames, lastPosition };
}

async function close(replayed: Replay | undefined, env: Record<string, string>) {
  await replayed?.t.close();
  if (env.DATABASE_SCHEMA) await dropSchema(env.DATABASE_SCHEMA);
}

const get = (r: Replay, path: string) => r.t.api.get(path, { headers: { 'min-position': r.lastPosition } });
const asOfQuery = (asOf: string | undefined) => (asOf === undefined ? '' : `?asOf=${encodeURIComponent(asOf)}`);

/**
 * An answer with what differs by recording order taken out: event ids named by command, no
 * revision, no recordedAt, and the provisions in id order: provisions added on the same day fold
 * in recording order (the fold's last tie-break is the revision), so their list order is the one
 * thing an answer may differ in (reported on issue 10).
 */
function comparable(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === 'string') return names.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => comparable(item, names));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'revision' && key !== 'recordedAt')
        .map(([key, item]) => [key, key === 'provisions' && Array.isArray(item) ? byProvisionId(item) : comparable(item, names)]),
    );
  }
  return value;
}
const byProvisionId = (provisions: Array<{ provisionId: string }>) =>
  [...provisions].sort((a, b) => a.provisionId.localeCompare(b.provisionId));

/** Status, parties with statusHistory, provisions and timeline of both agreements at every asked time, and lists at each time. */
async function answers(r: Replay): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const id of AGREEMENTS) {
    for (const asOf of ASKED) {
      for (const view of ['', '/timeline']) {
        const answer = await get(r, `/v1/agreements/${id}${view}${asOfQuery(asOf)}`);
        out[`${id}${view} asOf ${asOf ?? 'now'}`] = { status: answer.status, body: comparable(answer.json, r.eventNames) };
      }
    }
  }
  // Lists at a time too: the agreements as they stood, and in force for the USA on that day.
  for (const asOf of ASKED) {
    if (asOf === undefined) continue;
    for (const query of [`asOf=${encodeURIComponent(asOf)}`, `boundParty=USA&inForceOn=${encodeURIComponent(asOf)}`]) {
      const answer = await get(r, `/v1/agreements?${query}`);
      out[`list ${query}`] = { status: answer.status, body: comparable(answer.json, r.eventNames) };
    }
  }
  return out;
}


describe('the recording orders of the JCPOA and Paris scenario', () => {
  it('the file, the chronological order and every seeded shuffle record each fact after what it needs', () => {
    for (const order of [fileOrder, chronological, ...SEEDS.map((seed) => shuffledOrder(needs, seed))]) {
      expect(respectsNeeds(order, needs)).toBe(true);
    }
  });

  it('the file records late facts, and each shuffle is another order than the file and the chronology', () => {
    expect(fileOrder).not.toEqual(chronological);
    for (const seed of SEEDS) expect([shuffledOrder(needs, seed)]).not.toContainEqual(chronological);
  });
});

describe.each(readModelBackends())('the JCPOA and the Paris Agreement replayed over HTTP on %s', (_backend, backendEnv) => {
  let expected: Record<string, unknown>;

  beforeAll(async () => {
    const env = backendEnv();
    let replayed: Replay | undefined;
    try {
      replayed = await replay(env, chronological);
      expected = await answers(replayed);
    } finally {
      await close(replayed, env);
    }
  });

  it.each([['the file', fileOrder] as const, ...SEEDS.map((seed) => [`shuffle ${seed}`, shuffledOrder(needs, seed)] as const)])(
    'recorded in %s order, every step is accepted and every asOf answer is the chronological one',
    async (_label, order) => {
      const env = backendEnv();
      let replayed: Replay | undefined;
      try {
        replayed = await replay(env, order);
        expect(await answers(replayed)).toEqual(expected);
      } finally {
        await close(replayed, env);
      }
    },
  );
});

describe.each(readModelBackends())('an analyst asks of the JCPOA and the Paris Agreement, as the file recorded them (%s)', (_backend, backendEnv) => {
  const env = backendEnv();
  let r: Replay;
  beforeAll(async () => {
    r = await replay(env, fileOrder);
  });
  afterAll(() => close(r, env));

  const agreement = async (id: string, asOf?: string) => {
    const answer = await get(r, `/v1/agreements/${id}${asOfQuery(asOf)}`);
    expect(answer.status).toBe(200);
    return answer.json;
  };
  const party = (view: any, id: string) => view.parties.find((p: any) => p.id === id);
  const listed = async (query: string) => (await get(r, `/v1/agreements?${query}`)).json.items.map((a: any) => a.agreementId).sort();
  /** In force for a party (itself, or a group it is a member of) on a day: the API's boundParty list. */
  const inForceFor = async (id: string, partyId: string, day: string) => (await listed(`boundParty=${partyId}&inForceOn=${day}`)).includes(id);

  it('the JCPOA on 31 July 2015: adopted in Vienna by all eight without signatures and endorsed by Resolution 2231, not yet in force', async () => {
    const jcpoa = await agreement('jcpoa', '2015-07-31');
    expect(jcpoa).toMatchObject({ status: 'adopted', adoptedAt: '2015-07-14', signedAt: null, enteredIntoForceAt: null });
    expect(jcpoa.parties.map((p: any) => [p.id, p.status])).toEqual(
      ['group:e3', 'CHN', 'RUS', 'USA', 'igo:eu', 'IRN'].map((id) => [id, 'adopted']),
    );
    expect(party(jcpoa, 'group:e3').members.map((m: any) => m.id)).toEqual(['FRA', 'DEU', 'GBR']);
    expect(jcpoa.endorsements).toEqual([expect.objectContaining({ by: expect.objectContaining({ id: 'igo:unsc' }), instrument: 'Resolution 2231 (2015)', at: '2015-07-20' })]);
  });

  it('on 1 January 2017 the JCPOA is in force (since Implementation Day), for the USA and for France through the E3', async () => {
    const jcpoa = await agreement('jcpoa', '2017-01-01');
    expect(jcpoa).toMatchObject({ status: 'in-force', enteredIntoForceAt: '2016-01-16' });
    const on = (partyId: string) => inForceFor('jcpoa', partyId, '2017-01-01');
    expect([await on('USA'), await on('FRA'), await on('IRN')]).toEqual([true, true, true]);
  });

  it('on 1 January 2019 it is still in force, but no longer for the USA, which left on 8 May 2018; still for France, Germany and the UK', async () => {
    const jcpoa = await agreement('jcpoa', '2019-01-01');
    expect(jcpoa.status).toBe('in-force');
    const on = (partyId: string) => inForceFor('jcpoa', partyId, '2019-01-01');
    expect([await on('USA'), await on('FRA'), await on('DEU'), await on('GBR')]).toEqual([false, true, true, true]);
    expect(await listed('boundParty=USA&inForceOn=2019-01-01')).toEqual(['paris-agreement']);
    expect(party(jcpoa, 'USA').statusHistory.map((i: any) => [i.status, i.from, i.to])).toEqual([
      ['pending', '2015-04-02', '2015-07-14'],
      ['adopted', '2015-07-14', '2018-05-08'],
      ['withdrawn', '2018-05-08', null],
    ]);
  });

  it('at the end of July 2019 the stockpile and enrichment limits read violated (learnt after the end), the UN sanctions relief still operating', async () => {
    const jcpoa = await agreement('jcpoa', '2019-07-31');
    const statuses = Object.fromEntries(jcpoa.provisions.map((p: any) => [p.provisionId, p.status]));
    expect(statuses).toEqual({ 'enrichment-limit': 'violated', 'enriched-uranium-stockpile-limit': 'violated', 'un-sanctions-relief': 'operating' });
    expect(jcpoa.breaches.map((b: any) => [b.occurredAt, b.allegedBy.id, b.provisionId])).toEqual([
      ['2019-07-01', 'igo:iaea', 'enriched-uranium-stockpile-limit'],
      ['2019-07-08', 'igo:iaea', 'enrichment-limit'],
    ]);
  });

  it('on 1 October 2025, after the snapback, it is suspended and contested: Iran and Russia hold it in force', async () => {
    const jcpoa = await agreement('jcpoa', '2025-10-01');
    expect(jcpoa).toMatchObject({ status: 'suspended', contested: true });
    expect(jcpoa.disputes.map((d: any) => [d.party.id, d.claim, d.since])).toEqual([
      ['IRN', 'in-force', '2025-09-28'],
      ['RUS', 'in-force', '2025-09-28'],
    ]);
    expect(jcpoa.provisions.find((p: any) => p.provisionId === 'un-sanctions-relief').status).toBe('collapsed');
    expect(await listed('inForceOn=2025-10-01')).toEqual(['paris-agreement']);
  });

  it('now the JCPOA has expired on Termination Day: no dispute open, every provision ended, four breaches on record', async () => {
    const jcpoa = await agreement('jcpoa');
    expect(jcpoa).toMatchObject({ status: 'expired', statusSince: '2025-10-18', contested: false, disputes: [] });
    expect(jcpoa.term).toMatchObject({ until: '2025-10-18', endsAt: '2025-10-18T23:59:59.999Z', renewal: 'none' });
    expect(jcpoa.provisions.map((p: any) => p.status)).toEqual(['ended', 'ended', 'ended']);
    expect(jcpoa.breaches).toHaveLength(4);
    const timeline = (await get(r, '/v1/agreements/jcpoa/timeline')).json;
    expect(timeline.statuses.map((s: any) => [s.status, s.occurredAt])).toEqual([
      ['draft', '2015-04-02'],
      ['adopted', '2015-07-14'],
      ['in-force', '2016-01-16'],
      ['suspended', '2025-09-27T20:00:00-04:00'],
      ['expired', '2025-10-18'],
    ]);
  });

  it('a fact dated after the end is refused, naming the expiry; nothing is stored', async () => {
    const before = await r.t.runtime.eventStore.headPosition();
    const refused = await r.t.api.post('/v1/agreements/jcpoa/commands', {
      type: 'ReportBreach',
      commandId: '3f0c2a9e-6d1b-4c57-9a58-0d6f1e2b7c41',
      occurredAt: '2025-11-01',
      data: { allegedBy: { id: 'group:e3', name: 'E3' }, against: { id: 'IRN', name: 'Iran' }, description: 'after the end' },
    });
    expect([refused.status, refused.json.error.code, refused.json.error.details]).toEqual([
      422,
      'AGREEMENT_FINAL',
      expect.objectContaining({ status: 'expired', endedAt: '2025-10-18' }),
    ]);
    expect(await r.t.runtime.eventStore.headPosition()).toEqual(before);
  });

  it('the Paris Agreement on 1 October 2016: adopted by consensus, signed, accepted by the USA and China, not yet in force', async () => {
    const paris = await agreement('paris-agreement', '2016-10-01');
    expect(paris).toMatchObject({ status: 'adopted', adoptedAt: '2015-12-12', signedAt: '2016-04-22' });
    expect(Object.fromEntries(paris.parties.map((p: any) => [p.id, p.status]))).toEqual({ FRA: 'signed', USA: 'ratified', CHN: 'ratified', IND: 'signed', 'igo:eu': 'signed' });
    expect((await agreement('paris-agreement', '2016-11-04')).status).toBe('in-force');
  });

  it('the USA in the Paris Agreement: in force for it in 2017, not after November 2020, again from 19 February 2021, not since 27 January 2026', async () => {
    const on = (day: string) => inForceFor('paris-agreement', 'USA', day);
    expect([await on('2017-01-01'), await on('2020-12-01'), await on('2021-03-01'), await on('2026-06-01')]).toEqual([true, false, true, false]);
    const usa = party(await agreement('paris-agreement'), 'USA');
    expect(usa.statusHistory.map((i: any) => [i.status, i.from])).toEqual([
      ['adopted', '2015-12-12'],
      ['signed', '2016-04-22'],
      ['ratified', '2016-09-03'],
      ['withdrawn', '2020-11-04'],
      ['acceded', '2021-02-19'],
      ['withdrawn', '2026-01-27'],
    ]);
  });

  it('both were in force on 1 January 2017; the first global stocktake reads implemented from 13 December 2023', async () => {
    expect(await listed('inForceOn=2017-01-01')).toEqual(['jcpoa', 'paris-agreement']);
    expect((await agreement('paris-agreement', '2023-12-12')).provisions).toEqual([expect.objectContaining({ provisionId: 'global-stocktake', status: 'planned' })]);
    expect((await agreement('paris-agreement', '2023-12-13')).provisions).toEqual([expect.objectContaining({ provisionId: 'global-stocktake', status: 'implemented' })]);
  });

  it('party=FRA lists the JCPOA through the E3 and the Paris Agreement; lists asOf filter and show the agreements as they stood then', async () => {
    expect(await listed('party=FRA')).toEqual(['jcpoa', 'paris-agreement']);
    expect(await listed('party=group:e3')).toEqual(['jcpoa']);
    const then = (await get(r, '/v1/agreements?status=suspended&asOf=2025-10-01')).json;
    expect(then.items.map((a: any) => [a.agreementId, a.status, a.asOf])).toEqual([['jcpoa', 'suspended', '2025-10-01']]);
    expect(await listed('boundParty=USA&asOf=2021-03-01')).toEqual(['paris-agreement']);
    expect(await listed('boundParty=USA')).toEqual([]);
    expect(await listed('boundParty=USA&knownAt=2015-01-01')).toEqual([]);
  });

  it('the Paris timeline gives the USA its six statuses, chained, beside the agreement\'s statuses', async () => {
    const timeline = (await get(r, '/v1/agreements/paris-agreement/timeline')).json;
    const usa = timeline.parties.USA;
    expect(usa.map((i: any) => i.status)).toEqual(['adopted', 'signed', 'ratified', 'withdrawn', 'acceded', 'withdrawn']);
    usa.forEach((interval: any, i: number) => expect(interval.to).toBe(i + 1 < usa.length ? usa[i + 1].from : null));
    expect((await get(r, '/v1/agreements/paris-agreement/timeline?asOf=2020-12-01')).json.parties.USA.map((i: any) => [i.status, i.to])).toEqual([
      ['adopted', '2016-04-22T00:00:00.000Z'],
      ['signed', '2016-09-03T00:00:00.000Z'],
      ['ratified', '2020-11-04T00:00:00.000Z'],
      ['withdrawn', null],
    ]);
  });

  it('a bad boundParty, asOf or knownAt on a list is a 400 naming it', async () => {
    for (const [query, field] of [['boundParty=usa', 'boundParty'], ['asOf=yesterday', 'asOf'], ['knownAt=2019-13', 'knownAt']]) {
      const answer = await get(r, `/v1/agreements?${query}`);
      expect([answer.status, answer.json.error.code, answer.json.error.details.map((d: any) => d.field)]).toEqual([400, 'VALIDATION_FAILED', [field]]);
    }
  });
});
