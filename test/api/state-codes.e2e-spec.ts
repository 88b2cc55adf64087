import { TestApp, startTestApp } from '../support/app';
import { commandBody } from '../support/commands';

const AGREEMENT = 'states-test-agreement';
const A_PATH = `/v1/agreements/${AGREEMENT}/commands`;
const P_PATH = '/v1/processes/states-test-process/commands';

const cmd = commandBody;

describe('states are real states, over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const head = () => t.runtime.eventStore.headPosition();
  const stored = (streamId: string) => t.runtime.eventStore.readStream(streamId);

  it('given an unknown state code, refuses 400 naming the closest codes at the field, and stores nothing', async () => {
    const before = await head();
    const agreement = await t.api.post(
      A_PATH,
      cmd('DraftAgreement', {
        title: 'T',
        kind: 'framework',
        parties: [
          { id: 'RUS', name: 'Russia' },
          { id: 'XXX', name: 'Nowhere' },
        ],
      }),
    );
    const process = await t.api.post(P_PATH, cmd('OpenProcess', { name: 'Talks', hostCountry: 'KAX' }));
    expect(await head()).toEqual(before);
    expect([agreement.status, agreement.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(agreement.json.error.details).toEqual([
      {
        field: 'data.parties[1].id',
        message: expect.stringMatching(/^XXX is not an ISO 3166-1 alpha-3 code .*closest known codes: [A-Z]{3} \(/),
      },
    ]);
    expect([process.status, process.json.error.details]).toEqual([
      400,
      [{ field: 'data.hostCountry', message: expect.stringContaining('closest known codes: KAZ (Kazakhstan)') }],
    ]);
    expect(await stored(`agreement-${AGREEMENT}`)).toEqual([]);
  });

  it('given a party that is not a state without a name, refuses 400: only a state may leave it out', async () => {
    const r = await t.api.post(P_PATH, cmd('OpenProcess', { name: 'Talks' }));
    expect(r.status).toBe(201);
    const before = await head();
    const refused = await t.api.post(P_PATH, cmd('AdmitParticipant', { actor: { id: 'igo:un' }, role: 'mediator' }));
    expect([refused.status, refused.json.error.details]).toEqual([
      400,
      [{ field: 'data.actor.name', message: 'is required' }],
    ]);
    expect(await head()).toEqual(before);
  });

  it('given states without names, stores them with the names of the code list (a former state under its former name)', async () => {
    const draft = cmd('DraftAgreement', {
      title: 'Treaty',
      kind: 'framework',
      parties: [{ id: 'USA' }, { id: 'SUN' }],
    });
    const r = await t.api.post(A_PATH, draft);
    expect(r.status).toBe(201);
    const [event] = await stored(`agreement-${AGREEMENT}`);
    expect(event.data.parties).toEqual([
      { id: 'USA', name: 'United States of America' },
      { id: 'SUN', name: 'USSR' },
    ]);

    const again = await t.api.post(A_PATH, draft);
    expect([again.status, again.headers.get('idempotent-replay')]).toEqual([200, 'true']);
    expect(await stored(`agreement-${AGREEMENT}`)).toHaveLength(1);

    const read = await t.api.get(`/v1/agreements/${AGREEMENT}`, { headers: { 'min-position': r.json.position } });
    expect(read.json.parties.map((p: { id: string; name: string }) => [p.id, p.name])).toEqual([
      ['USA', 'United States of America'],
      ['SUN', 'USSR'],
    ]);
  });
});
