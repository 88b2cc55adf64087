import { DomainError } from '../shared/domain-error';
import { deciderSpec, eventIdOf, type Fact, thrown } from '../testing/given-when-then';
import { agreementDecider } from './agreement.decider';
import type { AgreementCommand } from './agreement.schemas';

const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };
const IRN = { id: 'IRN', name: 'Iran' };
const SYR = { id: 'SYR', name: 'Syria' };
const OPPOSITION = { id: 'group:syrian-opposition', name: 'Syrian opposition delegation' };

const { given } = deciderSpec(agreementDecider, 'agreement-astana-deescalation-memorandum');
const cmd = (type: AgreementCommand['type'], data: Record<string, unknown>, occurredAt = '2017-05-04') =>
  ({ type, data, occurredAt }) as AgreementCommand;

const drafted = (kind = 'memorandum', parties = [RUS, TUR, IRN]): Fact => ({
  type: 'AgreementDrafted',
  data: { title: 'Memorandum on de-escalation areas', kind, processId: 'astana', parties },
  occurredAt: '2017-05',
});
const signed = (signatories = [RUS, TUR, IRN], occurredAt = '2017-05-04'): Fact => ({
  type: 'MemorandumSigned',
  data: { signatories },
  occurredAt,
});
const inForce = (occurredAt = '2017-05-06'): Fact => ({ type: 'AgreementEnteredIntoForce', data: {}, occurredAt });
const suspended: Fact = { type: 'AgreementSuspended', data: { reason: 'offensive' }, occurredAt: '2017-09' };
const ratified = (party = RUS): Fact => ({ type: 'AgreementRatified', data: { party }, occurredAt: '2017-06' });
const termSet = (data: Record<string, unknown> = { duration: 'P6M', renewal: 'by-consensus' }): Fact => ({
  type: 'TermSet',
  data,
});
const provision = (provisionId = 'idlib'): Fact => ({
  type: 'ProvisionAdded',
  data: { provisionId, kind: 'zone', title: `${provisionId} zone` },
});
const rejected = (party = OPPOSITION): Fact => ({ type: 'PartyRejected', data: { party } });
const withdrew = (party = RUS): Fact => ({ type: 'PartyWithdrew', data: { party }, occurredAt: '2018' });
const ended = (type: string, data: Record<string, unknown> = {}): Fact => ({ type, data, occurredAt: '2018-01' });
const finals = [
  ended('AgreementExpired'),
  ended('AgreementTerminated', { reason: 'war' }),
  ended('AgreementSuperseded', { byAgreementId: 'next-memo' }),
];

describe('agreement decider: drafting', () => {
  it('drafting a new agreement records AgreementDrafted with the data as given', () => {
    const data = { title: 'Memorandum', kind: 'memorandum', processId: 'astana', parties: [RUS, TUR, IRN] };
    given()
      .when(cmd('DraftAgreement', data, '2017-05'))
      .thenEvents([{ type: 'AgreementDrafted', data }]);
  });

  it('an agreement is drafted once', () => {
    given(drafted())
      .when(cmd('DraftAgreement', { title: 'Again', kind: 'ceasefire', parties: [] }))
      .thenError('AGREEMENT_EXISTS');
  });

  it('drafting names each party once', () => {
    given()
      .when(
        cmd('DraftAgreement', {
          title: 'T',
          kind: 'ceasefire',
          parties: [RUS, { id: 'RUS', name: 'Russian Federation' }],
        }),
      )
      .thenError('DUPLICATE_ACTOR');
  });

  it('a command needs a business time it can read', () => {
    const error = given()
      .when(cmd('DraftAgreement', { title: 'T', kind: 'ceasefire', parties: [] }, '2017-02-30'))
      .thenError('VALIDATION_FAILED', 400);
    expect(error.details).toEqual([{ field: 'occurredAt', message: expect.stringMatching(/day 30 does not exist/) }]);
  });

  it.each([
    ['SignAgreement', { signatories: [RUS] }],
    ['BringIntoForce', {}],
    ['RetractEvent', { targetEventId: eventIdOf(1), reason: 'x' }],
  ] as const)('%s on an agreement that was never drafted: AGREEMENT_NOT_FOUND (404)', (type, data) => {
    given().when(cmd(type, data)).thenError('AGREEMENT_NOT_FOUND', 404);
  });
});

describe('agreement decider: signing', () => {
  it('signing a memorandum records MemorandumSigned', () => {
    given(drafted())
      .when(cmd('SignAgreement', { signatories: [RUS, TUR, IRN], place: 'Astana' }))
      .thenEvents([{ type: 'MemorandumSigned', data: { signatories: [RUS, TUR, IRN], place: 'Astana' } }]);
  });

  it('signing any other kind records AgreementSigned', () => {
    given(drafted('ceasefire'))
      .when(cmd('SignAgreement', { signatories: [RUS] }))
      .thenEvents([{ type: 'AgreementSigned', data: { signatories: [RUS] } }]);
  });

  it('the first signature moves the agreement from draft to signed; the signatories become signed', () => {
    const { state } = given(drafted(), signed([RUS]));
    expect(state.agreement?.status).toBe('signed');
    expect(state.agreement?.signedAt).toBe('2017-05-04');
    expect(state.agreement?.parties.map((p) => [p.id, p.status])).toEqual([
      ['RUS', 'signed'],
      ['TUR', 'pending'],
      ['IRN', 'pending'],
    ]);
  });

  it('a party cannot sign twice', () => {
    const error = given(drafted(), signed([RUS]))
      .when(cmd('SignAgreement', { signatories: [TUR, RUS] }))
      .thenError('ALREADY_SIGNED');
    expect(error.details).toEqual({ parties: ['RUS'] });
  });

  it('a party that ratified cannot sign again either', () => {
    given(drafted(), signed([RUS]), ratified(RUS))
      .when(cmd('SignAgreement', { signatories: [RUS] }))
      .thenError('ALREADY_SIGNED');
  });

  it('a signatory that was not a drafted party becomes one by signing', () => {
    const { state } = given(drafted(), signed([RUS, SYR]));
    expect(state.agreement?.parties.find((p) => p.id === 'SYR')).toMatchObject({ status: 'signed', drafted: false });
  });

  it('further parties may sign while the agreement is signed or in force, without changing its status', () => {
    given(drafted(), signed([RUS]))
      .when(cmd('SignAgreement', { signatories: [TUR] }))
      .thenEvents([{ type: 'MemorandumSigned', data: { signatories: [TUR] } }]);
    const { state } = given(drafted(), signed([RUS]), inForce(), signed([TUR], '2017-06'));
    expect(state.agreement?.status).toBe('in-force');
    expect(state.agreement?.signedAt).toBe('2017-05-04');
  });

  it('a suspended agreement is not signed until it is resumed', () => {
    given(drafted(), signed(), inForce(), suspended)
      .when(cmd('SignAgreement', { signatories: [SYR] }, '2017-10'))
      .thenError('AGREEMENT_SUSPENDED');
  });

  it('signing names each signatory once', () => {
    given(drafted())
      .when(cmd('SignAgreement', { signatories: [RUS, RUS] }))
      .thenError('DUPLICATE_ACTOR');
  });

  it('a party that rejected the agreement may still sign it later, and it stays contested', () => {
    const { state } = given(drafted(), rejected(), signed([OPPOSITION]));
    expect(state.agreement?.parties.find((p) => p.id === OPPOSITION.id)?.status).toBe('signed');
    expect(state.agreement?.contested).toBe(true);
  });
});

describe('agreement decider: ratification', () => {
  it('a party that signed ratifies', () => {
    given(drafted(), signed())
      .when(cmd('RatifyAgreement', { party: RUS }, '2017-06'))
      .thenEvents([{ type: 'AgreementRatified', data: { party: RUS } }]);
  });

  it('ratification makes the party ratified', () => {
    const { state } = given(drafted(), signed(), ratified(TUR));
    expect(state.agreement?.parties.find((p) => p.id === 'TUR')).toMatchObject({
      status: 'ratified',
      ratifiedAt: '2017-06',
    });
  });

  it('a drafted party that has not signed cannot ratify', () => {
    given(drafted(), signed([RUS]))
      .when(cmd('RatifyAgreement', { party: TUR }))
      .thenError('PARTY_NOT_SIGNED');
  });

  it('an actor that is not a party cannot ratify', () => {
    given(drafted(), signed())
      .when(cmd('RatifyAgreement', { party: SYR }))
      .thenError('NOT_A_PARTY');
  });

  it('a party ratifies once', () => {
    given(drafted(), signed(), ratified(RUS))
      .when(cmd('RatifyAgreement', { party: RUS }, '2017-07'))
      .thenError('ALREADY_RATIFIED');
  });

  it('a party cannot ratify before it signed', () => {
    given(drafted(), signed([RUS], '2017-05-04'))
      .when(cmd('RatifyAgreement', { party: RUS }, '2017-05-02'))
      .thenError('RATIFIED_BEFORE_SIGNED');
  });
});

describe('agreement decider: entry into force, suspension, end', () => {
  it('a signed agreement enters into force', () => {
    given(drafted(), signed())
      .when(cmd('BringIntoForce', {}, '2017-05-06'))
      .thenEvents([{ type: 'AgreementEnteredIntoForce', data: {} }]);
  });

  it('entry into force sets the status and the time it took effect', () => {
    const { state } = given(drafted(), signed(), inForce('2017-05-06'));
    expect(state.agreement).toMatchObject({
      status: 'in-force',
      enteredIntoForceAt: '2017-05-06',
      statusSince: '2017-05-06',
    });
  });

  it('a draft does not enter into force before it is signed', () => {
    given(drafted()).when(cmd('BringIntoForce', {})).thenError('AGREEMENT_NOT_SIGNED');
  });

  it('an agreement enters into force once; a suspended one is resumed instead', () => {
    given(drafted(), signed(), inForce()).when(cmd('BringIntoForce', {}, '2017-06')).thenError('AGREEMENT_ALREADY_IN_FORCE');
    given(drafted(), signed(), inForce(), suspended)
      .when(cmd('BringIntoForce', {}, '2017-10'))
      .thenError('AGREEMENT_ALREADY_IN_FORCE');
  });

  it('entry into force cannot be dated before the signature', () => {
    given(drafted(), signed([RUS], '2017-05-04'))
      .when(cmd('BringIntoForce', {}, '2017-05-03'))
      .thenError('IN_FORCE_BEFORE_SIGNATURE');
  });

  it('an agreement in force is suspended, then resumed', () => {
    given(drafted(), signed(), inForce())
      .when(cmd('SuspendAgreement', { reason: 'offensive' }, '2017-09'))
      .thenEvents([{ type: 'AgreementSuspended', data: { reason: 'offensive' } }]);
    given(drafted(), signed(), inForce(), suspended)
      .when(cmd('ResumeAgreement', {}, '2017-10'))
      .thenEvents([{ type: 'AgreementResumed', data: {} }]);
    const { state } = given(drafted(), signed(), inForce(), suspended, {
      type: 'AgreementResumed',
      data: {},
      occurredAt: '2017-10',
    });
    expect(state.agreement).toMatchObject({ status: 'in-force', statusSince: '2017-10' });
  });

  it('only an agreement in force is suspended', () => {
    given(drafted(), signed()).when(cmd('SuspendAgreement', {})).thenError('AGREEMENT_NOT_IN_FORCE');
    given(drafted(), signed(), inForce(), suspended)
      .when(cmd('SuspendAgreement', {}, '2017-10'))
      .thenError('AGREEMENT_ALREADY_SUSPENDED');
  });

  it('only a suspended agreement is resumed', () => {
    given(drafted(), signed(), inForce()).when(cmd('ResumeAgreement', {}, '2017-06')).thenError('AGREEMENT_NOT_SUSPENDED');
  });

  it('an agreement in force or suspended expires', () => {
    given(drafted(), signed(), inForce())
      .when(cmd('ExpireAgreement', {}, '2018'))
      .thenEvents([{ type: 'AgreementExpired', data: {} }]);
    given(drafted(), signed(), inForce(), suspended)
      .when(cmd('ExpireAgreement', {}, '2018'))
      .thenEvents([{ type: 'AgreementExpired', data: {} }]);
  });

  it('an agreement that never entered into force does not expire', () => {
    given(drafted(), signed())
      .when(cmd('ExpireAgreement', {}, '2018'))
      .thenError('AGREEMENT_NOT_IN_FORCE');
  });

  it('an agreement does not expire before its term ends (P6M from 6 May 2017 runs to 5 Nov)', () => {
    given(drafted(), signed(), inForce('2017-05-06'), termSet())
      .when(cmd('ExpireAgreement', {}, '2017-11-04'))
      .thenError('EXPIRED_BEFORE_TERM_END');
    given(drafted(), signed(), inForce('2017-05-06'), termSet())
      .when(cmd('ExpireAgreement', {}, '2017-11-05'))
      .thenEvents([{ type: 'AgreementExpired', data: {} }]);
  });

  it.each([
    ['signed', [drafted(), signed()]],
    ['in force', [drafted(), signed(), inForce()]],
    ['suspended', [drafted(), signed(), inForce(), suspended]],
  ])('a %s agreement is terminated or superseded', (_status, facts) => {
    given(...facts)
      .when(cmd('TerminateAgreement', { reason: 'collapse' }, '2018'))
      .thenEvents([{ type: 'AgreementTerminated', data: { reason: 'collapse' } }]);
    given(...facts)
      .when(cmd('SupersedeAgreement', { byAgreementId: 'next-memo' }, '2018'))
      .thenEvents([{ type: 'AgreementSuperseded', data: { byAgreementId: 'next-memo' } }]);
  });

  it('a draft is neither terminated nor superseded', () => {
    given(drafted())
      .when(cmd('TerminateAgreement', { reason: 'x' }))
      .thenError('AGREEMENT_NOT_SIGNED');
    given(drafted())
      .when(cmd('SupersedeAgreement', { byAgreementId: 'next-memo' }))
      .thenError('AGREEMENT_NOT_SIGNED');
  });

  it('an agreement cannot supersede itself', () => {
    given(drafted(), signed())
      .when(cmd('SupersedeAgreement', { byAgreementId: 'astana-deescalation-memorandum' }))
      .thenError('SUPERSEDED_BY_ITSELF');
  });

  it('supersession records the successor', () => {
    const { state } = given(drafted(), signed(), finals[2]);
    expect(state.agreement).toMatchObject({ status: 'superseded', supersededBy: 'next-memo' });
  });

  const laterCommands: Array<[string, Record<string, unknown>]> = [
    ['SignAgreement', { signatories: [SYR] }],
    ['RatifyAgreement', { party: RUS }],
    ['BringIntoForce', {}],
    ['SetTerm', { duration: 'P1Y', renewal: 'none' }],
    ['ExtendTerm', { until: '2019', basis: 'explicit' }],
    ['AddProvision', { provisionId: 'new-zone', kind: 'zone', title: 'New' }],
    ['AssessProvision', { provisionId: 'idlib', status: 'collapsed' }],
    ['ReportBreach', { allegedBy: TUR, description: 'shelling' }],
    ['RecordRejection', { party: OPPOSITION }],
    ['RecordWithdrawal', { party: RUS }],
    ['SuspendAgreement', {}],
    ['ResumeAgreement', {}],
    ['ExpireAgreement', {}],
    ['TerminateAgreement', { reason: 'x' }],
    ['SupersedeAgreement', { byAgreementId: 'next-memo' }],
  ];
  it.each(finals.map((f) => [f.type, f] as const))(
    'after %s every command but corrections is refused with AGREEMENT_FINAL',
    (_type, final) => {
      for (const [type, data] of laterCommands) {
        const error = thrown(() =>
          given(drafted(), signed(), inForce(), provision(), final)
            .when(cmd(type as AgreementCommand['type'], data, '2019'))
            .thenEvents([]),
        );
        expect([type, (error as DomainError | undefined)?.code]).toEqual([type, 'AGREEMENT_FINAL']);
      }
      given(drafted(), signed(), inForce(), final)
        .when(
          cmd('RecordCorrection', {
            targetEventId: eventIdOf(3),
            occurredAt: '2017-05-07',
            reason: 'source corrected',
          }),
        )
        .thenEvents([
          {
            type: 'EventCorrected',
            data: { targetEventId: eventIdOf(3), occurredAt: '2017-05-07', reason: 'source corrected' },
          },
        ]);
    },
  );
});

describe('agreement decider: term', () => {
  it('a term is set with a duration (from entry into force unless from is given) or an until', () => {
    given(drafted(), signed())
      .when(cmd('SetTerm', { duration: 'P6M', renewal: 'by-consensus' }))
      .thenEvents([{ type: 'TermSet', data: { duration: 'P6M', countedFrom: 'entry-into-force', renewal: 'by-consensus' } }]);
    given(drafted())
      .when(cmd('SetTerm', { until: '2017-12', renewal: 'none' }))
      .thenEvents([{ type: 'TermSet', data: { until: '2017-12', renewal: 'none' } }]);
  });

  it('a term needs exactly one of duration and until (a validation error, as the schema says)', () => {
    given(drafted())
      .when(cmd('SetTerm', { duration: 'P6M', until: '2018', renewal: 'none' }))
      .thenError('VALIDATION_FAILED', 400);
    given(drafted())
      .when(cmd('SetTerm', { renewal: 'none' }))
      .thenError('VALIDATION_FAILED', 400);
  });

  it('a term needs a duration and an until it can read', () => {
    given(drafted())
      .when(cmd('SetTerm', { duration: 'six months', renewal: 'none' }))
      .thenError('VALIDATION_FAILED', 400);
    given(drafted())
      .when(cmd('SetTerm', { until: '2017-02-29', renewal: 'none' }))
      .thenError('VALIDATION_FAILED', 400);
  });

  it('a term is set once; later changes are extensions or corrections', () => {
    given(drafted(), termSet())
      .when(cmd('SetTerm', { duration: 'P1Y', renewal: 'none' }))
      .thenError('TERM_ALREADY_SET');
  });

  it('a term is extended to a later end', () => {
    given(drafted(), signed(), inForce('2017-05-06'), termSet())
      .when(cmd('ExtendTerm', { until: '2018-05', basis: 'explicit' }, '2017-10'))
      .thenEvents([{ type: 'TermExtended', data: { until: '2018-05', basis: 'explicit' } }]);
  });

  it('there is no term to extend before one is set', () => {
    given(drafted(), signed())
      .when(cmd('ExtendTerm', { until: '2018', basis: 'explicit' }))
      .thenError('TERM_NOT_SET');
  });

  it('an extension must end after the current end', () => {
    const error = given(drafted(), signed(), inForce('2017-05-06'), termSet())
      .when(cmd('ExtendTerm', { until: '2017-10', basis: 'inferred' }, '2017-06'))
      .thenError('EXTENSION_NOT_LATER');
    expect(error.details).toMatchObject({ endsAt: '2017-11-05T23:59:59.999Z' });
    given(drafted(), signed(), inForce('2017-05-06'), termSet(), {
      type: 'TermExtended',
      data: { until: '2018-05', basis: 'explicit' },
    })
      .when(cmd('ExtendTerm', { until: '2018-04', basis: 'automatic' }, '2017-06'))
      .thenError('EXTENSION_NOT_LATER');
  });
});

describe('agreement decider: provisions and breaches', () => {
  it('a provision is added with a unique id', () => {
    const data = { provisionId: 'idlib', kind: 'zone', title: 'Idlib zone', area: 'Idlib province' };
    given(drafted())
      .when(cmd('AddProvision', data))
      .thenEvents([{ type: 'ProvisionAdded', data }]);
    given(drafted(), provision('idlib')).when(cmd('AddProvision', data)).thenError('PROVISION_EXISTS');
  });

  it('a provision is assessed once it exists', () => {
    const data = { provisionId: 'idlib', status: 'operating', level: 2 };
    given(drafted(), signed(), provision())
      .when(cmd('AssessProvision', data))
      .thenEvents([{ type: 'ProvisionAssessed', data }]);
  });

  it('a provision must exist before it is assessed', () => {
    given(drafted(), signed(), provision('idlib'))
      .when(cmd('AssessProvision', { provisionId: 'south', status: 'violated' }))
      .thenError('PROVISION_NOT_FOUND');
  });

  it('an assessment sets the provision status and level; one without a level clears the old level', () => {
    const assessed = (status: string, level?: number): Fact => ({
      type: 'ProvisionAssessed',
      data: { provisionId: 'idlib', status, ...(level === undefined ? {} : { level }) },
    });
    expect(given(drafted(), provision(), assessed('operating', 2)).state.agreement?.provisions[0]).toMatchObject({
      status: 'operating',
      level: 2,
    });
    expect(
      given(drafted(), provision(), assessed('operating', 2), assessed('collapsed')).state.agreement?.provisions[0],
    ).not.toHaveProperty('level');
  });

  it('a breach is reported, naming a provision or not', () => {
    const data = { provisionId: 'idlib', allegedBy: TUR, against: SYR, description: 'shelling in Idlib' };
    given(drafted(), signed(), provision())
      .when(cmd('ReportBreach', data))
      .thenEvents([{ type: 'BreachReported', data }]);
    given(drafted(), signed())
      .when(cmd('ReportBreach', { allegedBy: TUR, description: 'shelling' }))
      .thenEvents([{ type: 'BreachReported', data: { allegedBy: TUR, description: 'shelling' } }]);
  });

  it('a breach can only name an existing provision', () => {
    given(drafted(), signed(), provision('idlib'))
      .when(cmd('ReportBreach', { provisionId: 'south', allegedBy: TUR, description: 'x' }))
      .thenError('PROVISION_NOT_FOUND');
  });

  it('a draft cannot be breached', () => {
    given(drafted())
      .when(cmd('ReportBreach', { allegedBy: TUR, description: 'x' }))
      .thenError('AGREEMENT_NOT_SIGNED');
  });
});

describe('agreement decider: rejection and withdrawal', () => {
  it('a stakeholder that was never a party rejects: it is listed as a rejected party and the agreement is contested, status unchanged', () => {
    given(drafted(), signed(), inForce())
      .when(cmd('RecordRejection', { party: OPPOSITION, reason: 'territorial integrity' }))
      .thenEvents([{ type: 'PartyRejected', data: { party: OPPOSITION, reason: 'territorial integrity' } }]);
    const { state } = given(drafted(), signed(), inForce(), rejected());
    expect(state.agreement).toMatchObject({ status: 'in-force', contested: true });
    expect(state.agreement?.parties.find((p) => p.id === OPPOSITION.id)).toMatchObject({
      status: 'rejected',
      drafted: false,
    });
  });

  it('a drafted party that had signed may reject (e.g. ratification refused)', () => {
    given(drafted(), signed([RUS]))
      .when(cmd('RecordRejection', { party: RUS }))
      .thenEvents([{ type: 'PartyRejected', data: { party: RUS } }]);
  });

  it('a party that already rejected cannot reject again', () => {
    given(drafted(), rejected())
      .when(cmd('RecordRejection', { party: OPPOSITION }))
      .thenError('ALREADY_REJECTED');
  });

  it('a party that ratified leaves by withdrawal, not rejection', () => {
    given(drafted(), signed(), ratified(RUS))
      .when(cmd('RecordRejection', { party: RUS }, '2017-07'))
      .thenError('REJECTION_AFTER_RATIFICATION');
  });

  it('a party that withdrew has nothing left to reject', () => {
    given(drafted(), signed(), withdrew(RUS))
      .when(cmd('RecordRejection', { party: RUS }, '2018-02'))
      .thenError('PARTY_WITHDRAWN');
  });

  it('a party that signed or ratified withdraws', () => {
    given(drafted(), signed())
      .when(cmd('RecordWithdrawal', { party: TUR, reason: 'x' }))
      .thenEvents([{ type: 'PartyWithdrew', data: { party: TUR, reason: 'x' } }]);
    given(drafted(), signed(), ratified(RUS))
      .when(cmd('RecordWithdrawal', { party: RUS }, '2017-07'))
      .thenEvents([{ type: 'PartyWithdrew', data: { party: RUS } }]);
    const { state } = given(drafted(), signed(), withdrew(RUS));
    expect(state.agreement?.parties.find((p) => p.id === 'RUS')).toMatchObject({
      status: 'withdrawn',
      withdrawnAt: '2018',
    });
  });

  it('a party that has not signed cannot withdraw', () => {
    given(drafted(), signed([RUS]))
      .when(cmd('RecordWithdrawal', { party: TUR }))
      .thenError('PARTY_NOT_SIGNED');
    given(drafted(), rejected())
      .when(cmd('RecordWithdrawal', { party: OPPOSITION }))
      .thenError('PARTY_NOT_SIGNED');
  });

  it('an actor that is not a party cannot withdraw', () => {
    given(drafted(), signed())
      .when(cmd('RecordWithdrawal', { party: SYR }))
      .thenError('NOT_A_PARTY');
  });

  it('a party withdraws once', () => {
    given(drafted(), signed(), withdrew(RUS))
      .when(cmd('RecordWithdrawal', { party: RUS }, '2018-02'))
      .thenError('ALREADY_WITHDRAWN');
  });

  it('a party that withdrew may sign again (rejoining)', () => {
    given(drafted(), signed(), withdrew(RUS))
      .when(cmd('SignAgreement', { signatories: [RUS] }, '2019'))
      .thenEvents([{ type: 'MemorandumSigned', data: { signatories: [RUS] } }]);
  });
});

describe('agreement decider: corrections and retractions', () => {
  // Revisions: 0 drafted (event 1), 1 signed (event 2), 2 in force (event 3)
  const history = () => [drafted(), signed(), inForce('2017-05-06')];
  const retract = (n: number): Fact => ({
    type: 'EventRetracted',
    data: { targetEventId: eventIdOf(n), reason: 'wrong report' },
  });

  it('an event of the stream is retracted', () => {
    given(...history())
      .when(cmd('RetractEvent', { targetEventId: eventIdOf(3), reason: 'never happened' }))
      .thenEvents([{ type: 'EventRetracted', data: { targetEventId: eventIdOf(3), reason: 'never happened' } }]);
  });

  it('a retracted signature lets that party sign again', () => {
    const { state } = given(drafted(), signed([RUS]), retract(2));
    expect(state.agreement?.status).toBe('draft');
    expect(state.agreement?.parties.find((p) => p.id === 'RUS')?.status).toBe('pending');
    given(drafted(), signed([RUS]), retract(2))
      .when(cmd('SignAgreement', { signatories: [RUS] }))
      .thenEvents([{ type: 'MemorandumSigned', data: { signatories: [RUS] } }]);
  });

  it('a retracted drafting leaves no agreement: commands are refused as for an unknown one, drafting is allowed again', () => {
    given(drafted(), retract(1))
      .when(cmd('SignAgreement', { signatories: [RUS] }))
      .thenError('AGREEMENT_NOT_FOUND', 404);
    given(drafted(), retract(1))
      .when(cmd('DraftAgreement', { title: 'T', kind: 'ceasefire', parties: [] }))
      .thenEvents([{ type: 'AgreementDrafted', data: { title: 'T', kind: 'ceasefire', parties: [] } }]);
  });

  it('a corrected business time is what later rules see', () => {
    const corrected: Fact = {
      type: 'EventCorrected',
      data: { targetEventId: eventIdOf(2), occurredAt: '2017-05-10', reason: 'signed later' },
    };
    given(drafted(), signed([RUS], '2017-05-04'), corrected)
      .when(cmd('BringIntoForce', {}, '2017-05-06'))
      .thenError('IN_FORCE_BEFORE_SIGNATURE');
  });

  it('corrected data is merged over the target: a kind corrected to ceasefire gives AgreementSigned', () => {
    const corrected: Fact = {
      type: 'EventCorrected',
      data: { targetEventId: eventIdOf(1), data: { kind: 'ceasefire' }, reason: 'misread' },
    };
    given(drafted(), corrected)
      .when(cmd('SignAgreement', { signatories: [RUS] }))
      .thenEvents([{ type: 'AgreementSigned', data: { signatories: [RUS] } }]);
  });

  it('a correction records the corrected fields', () => {
    given(...history())
      .when(
        cmd('RecordCorrection', {
          targetEventId: eventIdOf(1),
          data: { title: 'Memorandum on the creation of de-escalation areas' },
          reason: 'full title',
        }),
      )
      .thenEvents([
        {
          type: 'EventCorrected',
          data: {
            targetEventId: eventIdOf(1),
            data: { title: 'Memorandum on the creation of de-escalation areas' },
            reason: 'full title',
          },
        },
      ]);
  });

  it('only events of this stream are corrected or retracted', () => {
    given(...history())
      .when(cmd('RetractEvent', { targetEventId: eventIdOf(99), reason: 'x' }))
      .thenError('EVENT_NOT_FOUND');
    given(...history())
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(99), occurredAt: '2017', reason: 'x' }))
      .thenError('EVENT_NOT_FOUND');
  });

  it('corrections and retractions are not themselves corrected or retracted', () => {
    given(...history(), retract(3))
      .when(cmd('RetractEvent', { targetEventId: eventIdOf(4), reason: 'x' }))
      .thenError('TARGET_IS_CORRECTION');
  });

  it('a retracted event is not corrected or retracted again', () => {
    given(...history(), retract(3))
      .when(cmd('RetractEvent', { targetEventId: eventIdOf(3), reason: 'x' }))
      .thenError('EVENT_ALREADY_RETRACTED');
    given(...history(), retract(3))
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(3), occurredAt: '2017-05-07', reason: 'x' }))
      .thenError('EVENT_ALREADY_RETRACTED');
  });

  it('a correction must change something', () => {
    given(...history())
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(3), reason: 'x' }))
      .thenError('CORRECTION_CHANGES_NOTHING');
    given(...history())
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(3), occurredAt: '2017-05-06', reason: 'x' }))
      .thenError('CORRECTION_CHANGES_NOTHING');
    given(...history())
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(1), data: { kind: 'memorandum' }, reason: 'x' }))
      .thenError('CORRECTION_CHANGES_NOTHING');
  });

  it('a correction cannot swap who acted, but may fix a name', () => {
    const error = given(...history())
      .when(
        cmd('RecordCorrection', { targetEventId: eventIdOf(2), data: { signatories: [RUS, TUR, SYR] }, reason: 'x' }),
      )
      .thenError('CORRECTION_CHANGES_IDENTITY');
    expect(error.details).toMatchObject({ field: 'signatories' });
    const renamed = [{ id: 'RUS', name: 'Russian Federation' }, TUR, IRN];
    given(...history())
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(2), data: { signatories: renamed }, reason: 'x' }))
      .thenEvents([
        { type: 'EventCorrected', data: { targetEventId: eventIdOf(2), data: { signatories: renamed }, reason: 'x' } },
      ]);
  });

  it('a provision id cannot be corrected (retract and add again)', () => {
    given(drafted(), provision('idlib'))
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(2), data: { provisionId: 'south' }, reason: 'x' }))
      .thenError('CORRECTION_CHANGES_IDENTITY');
  });

  it('a correction must leave the event valid for its schema', () => {
    const error = given(...history())
      .when(
        cmd('RecordCorrection', { targetEventId: eventIdOf(1), data: { kind: 'treaty', colour: 'red' }, reason: 'x' }),
      )
      .thenError('CORRECTION_INVALID');
    expect((error.details as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['data.data.kind', 'data.data.colour']),
    );
  });

  it('a correction of a term keeps exactly one of duration and until; null removes a field', () => {
    const facts = [drafted(), termSet()];
    given(...facts)
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(2), data: { until: '2018' }, reason: 'x' }))
      .thenError('CORRECTION_INVALID');
    given(...facts)
      .when(
        cmd('RecordCorrection', { targetEventId: eventIdOf(2), data: { until: '2018', duration: null }, reason: 'x' }),
      )
      .thenEvents([
        {
          type: 'EventCorrected',
          data: { targetEventId: eventIdOf(2), data: { until: '2018', duration: null }, reason: 'x' },
        },
      ]);
  });

  it("a correction's business time must be readable", () => {
    given(...history())
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(3), occurredAt: '2017-13', reason: 'x' }))
      .thenError('VALIDATION_FAILED', 400);
  });

  it('the loaded stream keeps the raw events, and its state the revision, corrections included', () => {
    const { state, stream } = given(...history(), retract(3));
    expect(state.revision).toBe(3);
    expect(stream.recorded).toHaveLength(4);
    expect(state).not.toHaveProperty('history');
    expect(state.agreement?.status).toBe('signed');
    expect(state.agreement?.enteredIntoForceAt).toBeNull();
  });

  it('evolve ignores an event type it does not know', () => {
    const { state } = given(drafted(), { type: 'SomethingNew', data: {} });
    expect(state.agreement?.status).toBe('draft');
    expect(state.revision).toBe(1);
  });
});

describe('DomainError', () => {
  it('serialises to the contract error shape', () => {
    const error = thrown(() =>
      given(drafted())
        .when(cmd('DraftAgreement', { title: 'T', kind: 'ceasefire', parties: [] }))
        .thenEvents([]),
    ) as DomainError;
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'AGREEMENT_EXISTS',
      message: expect.stringMatching(/already drafted/),
    });
  });
});
