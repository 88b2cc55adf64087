import { randomUUID } from 'node:crypto';
import { Refusal } from '../outcome/refusal';
import type { Principal } from '../principal';
import { prepareCommand } from './prepare-command';
import { AGREEMENTS, PROCESSES } from './stream-kinds';

const operator: Principal = { name: 'op', role: 'operator' };
const NOW = new Date('2024-01-01T00:00:00Z');
const body = (type: string, data: Record<string, unknown>, commandId = randomUUID()) => ({
  type,
  commandId,
  occurredAt: '2017-06-01',
  data,
});

const prepareAgreement = (sent: unknown) =>
  prepareCommand(AGREEMENTS, 'some-agreement', sent, operator, {}, NOW).command;
const prepareProcess = (sent: unknown) => prepareCommand(PROCESSES, 'some-process', sent, operator, {}, NOW).command;

/** The details of the refusal `act` throws (it must throw one). */
function refusalOf(act: () => unknown): {
  status: number;
  code: string;
  details: Array<{ field: string; message: string }>;
} {
  try {
    act();
  } catch (err) {
    if (err instanceof Refusal) return { status: err.status, code: err.code, details: err.details as never };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('states on the command path', () => {
  it('given a state without a name, the command is decided with the code list name', () => {
    const command = prepareAgreement(
      body('DraftAgreement', {
        title: 'T',
        kind: 'framework',
        parties: [{ id: 'USA' }, { id: 'SUN' }, { id: 'IRN', name: 'Iran' }],
      }),
    );
    expect(command.body.data.parties).toEqual([
      { id: 'USA', name: 'United States of America' },
      { id: 'SUN', name: 'USSR' },
      { id: 'IRN', name: 'Iran' },
    ]);
  });

  it('given a state the client named, keeps the name the client gave', () => {
    const command = prepareAgreement(body('RatifyAgreement', { party: { id: 'RUS', name: 'Russia' } }));
    expect(command.body.data.party).toEqual({ id: 'RUS', name: 'Russia' });
  });

  it('given an unknown code in any actor field, refuses 400 at that field naming the closest codes', () => {
    const refusal = refusalOf(() =>
      prepareAgreement(
        body('ReportBreach', { allegedBy: { id: 'RUZ' }, against: { id: 'XXX', name: 'X' }, description: 'd' }),
      ),
    );
    expect([refusal.status, refusal.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(refusal.details.map((d) => d.field)).toEqual(['data.allegedBy.id', 'data.against.id']);
    expect(refusal.details[0].message).toMatch(
      /^RUZ is not an ISO 3166-1 alpha-3 code .*closest known codes: RUS \(Russian Federation\)/,
    );
  });

  it('finds actors in lists and in process commands too', () => {
    const refusal = refusalOf(() =>
      prepareProcess(
        body('IssueStatement', { issuers: [{ id: 'RUS' }, { id: 'QQQ' }], kind: 'joint-statement', summary: 's' }),
      ),
    );
    expect(refusal.details.map((d) => d.field)).toEqual(['data.issuers[1].id']);
    const named = prepareProcess(
      body('AdmitParticipant', {
        actor: { id: 'TUR' },
        role: 'guarantor',
        delegationHead: { id: 'person:someone', name: 'Someone' },
      }),
    );
    expect(named.body.data.actor).toEqual({ id: 'TUR', name: 'Türkiye' });
  });

  it('checks a field whose schema holds a state code (the host country)', () => {
    const refusal = refusalOf(() => prepareProcess(body('OpenProcess', { name: 'Talks', hostCountry: 'KAX' })));
    expect(refusal.details).toEqual([
      { field: 'data.hostCountry', message: expect.stringContaining('KAZ (Kazakhstan)') },
    ]);
  });

  it('given an actor that is not a state without a name, refuses: only states may leave it out', () => {
    const refusal = refusalOf(() => prepareAgreement(body('RecordRejection', { party: { id: 'group:opposition' } })));
    expect([refusal.status, refusal.details]).toEqual([400, [{ field: 'data.party.name', message: 'is required' }]]);
  });

  it('given a correction, names and checks the actors of its free-form data as well', () => {
    const correction = (data: Record<string, unknown>) =>
      body('RecordCorrection', { targetEventId: randomUUID(), data, reason: 'r' });
    expect(prepareAgreement(correction({ allegedBy: { id: 'DDR' } })).body.data.data).toEqual({
      allegedBy: { id: 'DDR', name: 'German Democratic Republic' },
    });
    expect(refusalOf(() => prepareAgreement(correction({ parties: [{ id: 'XXX' }] }))).details).toEqual([
      { field: 'data.data.parties[0].id', message: expect.stringContaining('closest known codes') },
    ]);
    expect(refusalOf(() => prepareAgreement(correction({ allegedBy: { id: 'igo:un' } }))).details).toEqual([
      { field: 'data.data.allegedBy.name', message: 'is required' },
    ]);
  });

  it('hashes what the client sent: a retry hashes the same, and naming the state changes the request', () => {
    const commandId = randomUUID();
    const sent = body('RatifyAgreement', { party: { id: 'USA' } }, commandId);
    const first = prepareAgreement(sent);
    const retry = prepareAgreement(JSON.parse(JSON.stringify(sent)));
    expect(retry.requestHash).toBe(first.requestHash);
    expect(sent.data).toEqual({ party: { id: 'USA' } });
    const namedByClient = prepareAgreement(
      body('RatifyAgreement', { party: { id: 'USA', name: 'United States of America' } }, commandId),
    );
    expect(namedByClient.requestHash).not.toBe(first.requestHash);
  });
});
