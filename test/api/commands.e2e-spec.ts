import { randomUUID } from 'node:crypto';
import { MEMORANDUM, TOKENS, TestApp, astana, startTestApp } from '../support/app';
import { commandBody } from '../support/commands';

const M_PATH = `/v1/agreements/${MEMORANDUM}/commands`;
const P_PATH = '/v1/processes/astana/commands';
const RUS = { id: 'RUS', name: 'Russia' };

/** Plays the Astana scenario with fresh command ids; returns the last response. */
async function playAstana(t: TestApp) {
  let last: any;
  for (const step of astana.steps) {
    const r = await t.api.post(step.path, { ...step.body, commandId: randomUUID() });
    expect({ step: step.body.type, status: r.status, body: r.json }).toEqual(expect.objectContaining({ status: 201 }));
    last = r;
  }
  return last;
}

const cmd = commandBody;

describe('the command API over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await playAstana(t);
  });
  afterAll(() => t.close());

  const streamLength = async (streamId: string) => (await t.runtime.eventStore.readStream(streamId)).length;
  const head = () => t.runtime.eventStore.headPosition();

  /** Sends a command that must fail, and proves it stored nothing anywhere. */
  async function refused(path: string, body: unknown, opts: { raw?: string; headers?: Record<string, string> } = {}) {
    const before = await head();
    const r = await t.api.post(path, body, opts);
    expect(await head()).toEqual(before);
    expect(r.json).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
    return r;
  }

  describe('given the Astana scenario was recorded', () => {
    it('answers the memorandum in force, contested, with four zones and each party status', async () => {
      const r = await t.api.get(`/v1/agreements/${MEMORANDUM}`, { headers: { 'min-position': String((await head()) ?? '') } });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        agreementId: MEMORANDUM,
        kind: 'memorandum',
        processId: 'astana',
        status: 'in-force',
        contested: true,
        term: expect.objectContaining({ renewal: 'by-consensus' }),
      });
      const parties = Object.fromEntries(r.json.parties.map((p: any) => [p.id, p.status]));
      expect(parties).toEqual({ RUS: 'signed', TUR: 'signed', IRN: 'signed', 'group:syrian-opposition': 'rejected' });
      expect(r.json.provisions.map((p: any) => p.provisionId).sort()).toEqual(['eastern-ghouta', 'idlib', 'northern-homs', 'south']);
      expect(r.headers.get('etag')).toBe(`"${r.json.revision}"`);
    });

    it('records the authenticated name as the actor, and the sources, in the history', async () => {
      const r = await t.api.get(`/v1/agreements/${MEMORANDUM}/events`, { token: TOKENS.auditor });
      expect(r.status).toBe(200);
      const signed = r.json.items.find((e: any) => e.type === 'MemorandumSigned');
      expect(signed.metadata).toMatchObject({
        actor: 'desk-1',
        occurredAt: '2017-05-04',
        sources: [expect.objectContaining({ publisher: 'Xinhua' })],
        unsourced: false,
      });
      expect(signed.metadata.causationId).toBe(signed.metadata.commandId);
      expect(signed.metadata.correlationId).toBe(signed.metadata.commandId);
      expect(r.json.items.map((e: any) => e.revision)).toEqual(r.json.items.map((_: unknown, i: number) => i));
    });

    it('answers the global history in position order, filtered by type, paged', async () => {
      const all = await t.api.get('/v1/events?fromPosition=0&limit=1000', { token: TOKENS.auditor });
      expect(all.status).toBe(200);
      expect(all.json.items).toHaveLength(astana.steps.length);
      const firstPage = await t.api.get('/v1/events?limit=5', { token: TOKENS.auditor });
      expect(firstPage.json.items).toHaveLength(5);
      const next = await t.api.get(`/v1/events?limit=5&fromPosition=${firstPage.json.nextPosition}`, { token: TOKENS.auditor });
      expect(next.json.items[0].eventId).toBe(all.json.items[5].eventId);
      const signed = await t.api.get('/v1/events?type=MemorandumSigned', { token: TOKENS.auditor });
      expect(signed.json.items.map((e: any) => e.type)).toEqual(['MemorandumSigned']);
    });
  });

  describe('success answers', () => {
    it('answers 201 with the stream, revision, position, events, ETag and correlation headers', async () => {
      const body = cmd('ReportBreach', { allegedBy: { id: 'TUR', name: 'Turkey' }, description: 'shelling in Idlib', provisionId: 'idlib' });
      const r = await t.api.post(M_PATH, body, { headers: { 'x-correlation-id': 'desk-1.story-42' } });
      expect(r.status).toBe(201);
      expect(r.json).toEqual({
        streamId: `agreement-${MEMORANDUM}`,
        revision: expect.any(Number),
        position: expect.any(String),
        events: [{ eventId: expect.any(String), type: 'BreachReported', revision: r.json.revision, position: r.json.position }],
      });
      expect(r.headers.get('etag')).toBe(`"${r.json.revision}"`);
      expect(r.headers.get('x-correlation-id')).toBe('desk-1.story-42');
      expect(r.headers.get('x-causation-id')).toBe(body.commandId);
      const stored = (await t.runtime.eventStore.readStream(`agreement-${MEMORANDUM}`)).at(-1)!;
      expect(stored.metadata).toMatchObject({ correlationId: 'desk-1.story-42', causationId: body.commandId, actor: 'desk-1' });
    });

    it('replays the same commandId and body: 200, Idempotent-Replay, the first result, nothing appended', async () => {
      const body = cmd('ReportBreach', { allegedBy: RUS, description: 'replayed breach' });
      const first = await t.api.post(M_PATH, body);
      expect(first.status).toBe(201);
      const before = await streamLength(`agreement-${MEMORANDUM}`);
      const again = await t.api.post(M_PATH, { ...body, data: { description: 'replayed breach', allegedBy: RUS } });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replay')).toBe('true');
      expect(again.json).toEqual(first.json);
      expect(await streamLength(`agreement-${MEMORANDUM}`)).toBe(before);
    });

    it('refuses the same commandId with a different body: 409 COMMAND_ID_REUSED', async () => {
      const body = cmd('ReportBreach', { allegedBy: RUS, description: 'first' });
      expect((await t.api.post(M_PATH, body)).status).toBe(201);
      const r = await refused(M_PATH, { ...body, data: { allegedBy: RUS, description: 'second' } });
      expect(r.status).toBe(409);
      expect(r.json.error.code).toBe('COMMAND_ID_REUSED');
    });
  });

  describe('every error row of the contract answers its code and stores nothing', () => {
    it('malformed JSON: 400 VALIDATION_FAILED', async () => {
      const r = await refused(M_PATH, undefined, { raw: '{"type": "SignAgreement",' });
      expect([r.status, r.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it('a body that is not an object: 400', async () => {
      const r = await refused(M_PATH, [1, 2]);
      expect([r.status, r.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it('unknown command type, or a process command on an agreement: 400 naming the field', async () => {
      for (const type of ['SignTreaty', 'ScheduleTalks']) {
        const r = await refused(M_PATH, cmd(type, {}));
        expect([r.status, r.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
        expect(r.json.error.details).toEqual([expect.objectContaining({ field: 'type' })]);
      }
    });

    it('missing, unknown and wrongly typed fields: 400 listing each field', async () => {
      const r = await refused(M_PATH, {
        type: 'ReportBreach',
        commandId: randomUUID(),
        occurredAt: '2017-06-01',
        colour: 'red',
        data: { allegedBy: { id: 'TUR', name: 42 }, severity: 'high' },
      });
      expect(r.status).toBe(400);
      const fields = r.json.error.details.map((d: any) => d.field).sort();
      expect(fields).toEqual(['colour', 'data.allegedBy.name', 'data.description', 'data.severity']);
    });

    it('a commandId that is not a UUID, and an expectedRevision that is not a revision: 400', async () => {
      const r = await refused(M_PATH, { ...cmd('ReportBreach', { allegedBy: RUS, description: 'x' }), commandId: 'abc', expectedRevision: -2 });
      expect(r.status).toBe(400);
      expect(r.json.error.details.map((d: any) => d.field).sort()).toEqual(['commandId', 'expectedRevision']);
    });

    it('bad ids in the path and in the body: 400', async () => {
      const r1 = await refused('/v1/agreements/Not_A_Slug/commands', cmd('ReportBreach', { allegedBy: RUS, description: 'x' }));
      expect(r1.status).toBe(400);
      expect(r1.json.error.details).toEqual([expect.objectContaining({ field: 'agreementId' })]);
      const r2 = await refused(M_PATH, cmd('ReportBreach', { allegedBy: { id: 'russia', name: 'Russia' }, description: 'x' }));
      expect(r2.status).toBe(400);
      expect(r2.json.error.details).toEqual([expect.objectContaining({ field: 'data.allegedBy.id' })]);
    });

    it.each(['2017-02-30', '2017-13', '17-05-04', '2017-05-04T25:00:00Z', '2017-07-05/2017-07-04', 'yesterday'])(
      'a bad or impossible date (%s): 400 on occurredAt',
      async (date) => {
        const r = await refused(M_PATH, cmd('ReportBreach', { allegedBy: RUS, description: 'x' }, { occurredAt: date }));
        expect(r.status).toBe(400);
        expect(r.json.error.details).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
      },
    );

    it('a command on an agreement or process that does not exist: 404', async () => {
      const a = await refused('/v1/agreements/no-such-agreement/commands', cmd('BringIntoForce', {}));
      expect([a.status, a.json.error.code]).toEqual([404, 'AGREEMENT_NOT_FOUND']);
      const p = await refused('/v1/processes/no-such-process/commands', cmd('CloseProcess', {}));
      expect([p.status, p.json.error.code]).toEqual([404, 'PROCESS_NOT_FOUND']);
    });

    it('a stale expectedRevision: 409 REVISION_CONFLICT with expected and actual', async () => {
      const r = await refused(M_PATH, cmd('ReportBreach', { allegedBy: RUS, description: 'x' }, { expectedRevision: 0 }));
      expect([r.status, r.json.error.code]).toEqual([409, 'REVISION_CONFLICT']);
      expect(r.json.error.details).toEqual({ expected: 0, actual: (await streamLength(`agreement-${MEMORANDUM}`)) - 1 });
    });

    it('a stale revision in If-Match: 412 REVISION_CONFLICT', async () => {
      const r = await refused(M_PATH, cmd('ReportBreach', { allegedBy: RUS, description: 'x' }), { headers: { 'if-match': '"1"' } });
      expect([r.status, r.json.error.code]).toEqual([412, 'REVISION_CONFLICT']);
    });

    it('expectedRevision -1 on a stream that exists: 409', async () => {
      const r = await refused(P_PATH, cmd('OpenProcess', { name: 'again' }, { expectedRevision: -1 }));
      expect([r.status, r.json.error.code]).toEqual([409, 'REVISION_CONFLICT']);
    });

    it('domain rules: 422 with the rule code', async () => {
      const signAgain = await refused(M_PATH, cmd('SignAgreement', { signatories: [RUS] }));
      expect([signAgain.status, signAgain.json.error.code]).toEqual([422, 'ALREADY_SIGNED']);
      await t.api.post(P_PATH, cmd('ScheduleTalks', { roundId: 'round-7', ordinal: 7, venue: 'Astana', window: '2017-10' }));
      const conclude = await refused(P_PATH, cmd('ConcludeTalks', { roundId: 'round-7', outcome: 'nothing' }));
      expect([conclude.status, conclude.json.error.code]).toEqual([422, 'ROUND_NOT_CONVENED']);
    });

    it('a final agreement refuses every later command but corrections: 422 AGREEMENT_FINAL', async () => {
      const path = '/v1/agreements/short-lived-ceasefire/commands';
      const parties = [RUS, { id: 'TUR', name: 'Turkey' }];
      for (const c of [
        cmd('DraftAgreement', { title: 'Short-lived ceasefire', kind: 'ceasefire', parties }),
        cmd('SignAgreement', { signatories: parties }),
        cmd('TerminateAgreement', { reason: 'collapsed' }),
      ]) {
        expect((await t.api.post(path, c)).status).toBe(201);
      }
      // Dated the day after the end: on the day itself an entry into force comes before a termination (causal rank).
      const r = await refused(path, cmd('BringIntoForce', {}, { occurredAt: '2017-06-02' }));
      expect([r.status, r.json.error.code]).toEqual([422, 'AGREEMENT_FINAL']);
    });

    it('a body over 256 KiB: 413 PAYLOAD_TOO_LARGE', async () => {
      const big = cmd('ReportBreach', { allegedBy: RUS, description: 'x'.repeat(300 * 1024) });
      const r = await refused(M_PATH, big);
      expect([r.status, r.json.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    });

    it('a body that is not JSON: 415', async () => {
      const r = await refused(M_PATH, undefined, { raw: 'type=SignAgreement', headers: { 'content-type': 'text/plain' } });
      expect(r.status).toBe(415);
    });
  });

  describe('authentication and roles', () => {
    const body = () => cmd('ReportBreach', { allegedBy: RUS, description: 'auth' });
    it('no token or an unknown one: 401 on every /v1 route', async () => {
      for (const token of [null, 'not-a-token']) {
        expect((await t.api.post(M_PATH, body(), { token })).status).toBe(401);
        expect((await t.api.get(`/v1/agreements/${MEMORANDUM}`, { token })).status).toBe(401);
        expect((await t.api.get('/v1/events', { token })).status).toBe(401);
      }
      const r = await t.api.get('/v1/agreements', { token: null });
      expect(r.json.error.code).toBe('UNAUTHENTICATED');
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('readers read but neither command nor audit; auditors read and audit; operators command and read', async () => {
      const matrix: Array<[string, string, number]> = [
        ['reader', 'command', 403],
        ['reader', 'read', 200],
        ['reader', 'history', 403],
        ['auditor', 'command', 403],
        ['auditor', 'read', 200],
        ['auditor', 'history', 200],
        ['operator', 'command', 201],
        ['operator', 'read', 200],
        ['operator', 'history', 403],
      ];
      for (const [role, action, status] of matrix) {
        const token = TOKENS[role as keyof typeof TOKENS];
        const r =
          action === 'command'
            ? await t.api.post(M_PATH, body(), { token })
            : action === 'read'
              ? await t.api.get(`/v1/agreements/${MEMORANDUM}`, { token })
              : await t.api.get(`/v1/agreements/${MEMORANDUM}/events`, { token });
        expect({ role, action, status: r.status }).toEqual({ role, action, status });
        if (status === 403) expect(r.json.error.code).toBe('FORBIDDEN');
      }
    });

    it('health and metrics need no token', async () => {
      expect((await t.api.get('/health/live', { token: null })).status).toBe(200);
      expect((await t.api.get('/health/ready', { token: null })).status).toBe(200);
      const m = await t.api.get('/metrics', { token: null });
      expect(m.status).toBe(200);
      expect(m.text).toContain('agreements_http_requests_total');
      expect(m.text).toMatch(/agreements_events_appended_total\{stream_kind="agreement"\} [1-9]/);
      expect(m.text).toMatch(/agreements_commands_rejected_total\{code="ALREADY_SIGNED"\} [1-9]/);
      expect(m.text).toContain('agreements_projection_lag_events');
    });
  });

  describe('concurrency', () => {
    it('20 writers racing on one expectedRevision: exactly one wins, the rest get 409', async () => {
      const path = '/v1/agreements/race-one/commands';
      const draft = await t.api.post(path, cmd('DraftAgreement', { title: 'Race', kind: 'ceasefire', parties: [RUS] }));
      expect(draft.status).toBe(201);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.api.post(path, cmd('AddProvision', { provisionId: `racer-${i}`, kind: 'commitment', title: `Racer ${i}` }, { expectedRevision: 0 })),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(19);
      expect(await streamLength('agreement-race-one')).toBe(2);
    });

    it('40 writers without expectedRevision: all accepted, revisions contiguous, none lost', async () => {
      const path = '/v1/agreements/race-many/commands';
      expect((await t.api.post(path, cmd('DraftAgreement', { title: 'Many', kind: 'ceasefire', parties: [RUS] }))).status).toBe(201);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          t.api.post(path, cmd('AddProvision', { provisionId: `writer-${i}`, kind: 'commitment', title: `Writer ${i}` })),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
      expect(results.map((r) => r.json.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      const events = await t.runtime.eventStore.readStream('agreement-race-many');
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 41 }, (_, i) => i));
      expect(new Set(events.slice(1).map((e) => e.data.provisionId)).size).toBe(40);
    });
  });

  describe('OpenAPI', () => {
    it('serves /docs-json with a schema for every command type and the UI at /docs', async () => {
      const doc = await t.api.get('/docs-json', { token: null });
      expect(doc.status).toBe(200);
      const { agreementCommandDataSchemas, processCommandDataSchemas } = await import('@agreements/domain');
      for (const type of [...Object.keys(agreementCommandDataSchemas), ...Object.keys(processCommandDataSchemas)]) {
        expect(doc.json.components.schemas[type]).toBeDefined();
      }
      expect(doc.json.paths['/v1/agreements/{agreementId}/commands']).toBeDefined();
      const ui = await fetch(`${t.base}/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger');
    });
  });
});
