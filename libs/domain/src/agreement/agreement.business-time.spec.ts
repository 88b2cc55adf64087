import { DomainError } from '../shared/domain-error';
import { deciderSpec, eventIdOf, type Fact } from '../testing/given-when-then';
import { agreementDecider } from './agreement.decider';
import type { AgreementCommand } from './agreement.schemas';

const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };
const IRN = { id: 'IRN', name: 'Iran' };
const USA = { id: 'USA', name: 'United States' };

const STREAM_ID = 'agreement-late-facts';
const { given } = deciderSpec(agreementDecider, STREAM_ID);
const cmd = (type: AgreementCommand['type'], data: Record<string, unknown>, occurredAt: string) =>
  ({ type, data, occurredAt }) as AgreementCommand;

// Event n of a given(...) history has id eventIdOf(n).
const drafted: Fact = { type: 'AgreementDrafted', data: { title: 'Deal', kind: 'framework', parties: [RUS, TUR, IRN] }, occurredAt: '2015-07' };
const signed = (signatories = [RUS, TUR, IRN], occurredAt = '2015-07-14'): Fact => ({ type: 'AgreementSigned', data: { signatories }, occurredAt });
const inForce = (occurredAt = '2016-01-16'): Fact => ({ type: 'AgreementEnteredIntoForce', data: {}, occurredAt });
const terminated = (occurredAt = '2022-03'): Fact => ({ type: 'AgreementTerminated', data: { reason: 'collapsed' }, occurredAt });
const superseded = (occurredAt = '2020-01'): Fact => ({ type: 'AgreementSuperseded', data: { byAgreementId: 'next-deal' }, occurredAt });

describe('agreement decider: decisions in business time', () => {
  it('given a 2022 termination, a breach dated 2019 is judged against the agreement in force then, and accepted', () => {
    given(drafted, signed(), inForce(), terminated())
      .when(cmd('ReportBreach', { allegedBy: TUR, description: 'enrichment above the cap' }, '2019-07'))
      .thenEvents([{ type: 'BreachReported', data: { allegedBy: TUR, description: 'enrichment above the cap' } }]);
  });

  it('given a 2022 termination, a fact dated after it is refused AGREEMENT_FINAL naming the end, its status and date', () => {
    const error = given(drafted, signed(), inForce(), terminated())
      .when(cmd('ReportBreach', { allegedBy: TUR, description: 'x' }, '2023'))
      .thenError('AGREEMENT_FINAL');
    expect(error.details).toEqual({ status: 'terminated', endedBy: eventIdOf(4), endedAt: '2022-03' });
    expect(error.message).toContain(eventIdOf(4));
  });

  it('given an entry into force recorded first, a signature dated before it is recorded late and the agreement reads in force', () => {
    given(drafted, inForce())
      .when(cmd('SignAgreement', { signatories: [RUS] }, '2015-07-14'))
      .thenEvents([{ type: 'AgreementSigned', data: { signatories: [RUS] } }]);
    const { state } = given(drafted, inForce(), signed([RUS]));
    expect(state.agreement).toMatchObject({ status: 'in-force', signedAt: '2015-07-14', enteredIntoForceAt: '2016-01-16' });
  });

  it('given a supersession, a signature dated after it is refused AGREEMENT_FINAL', () => {
    given(drafted, signed([RUS]), superseded())
      .when(cmd('SignAgreement', { signatories: [TUR] }, '2021'))
      .thenError('AGREEMENT_FINAL');
  });

  it('given a withdrawal recorded, a signature of the same party dated before it is accepted (the party signed, then withdrew)', () => {
    given(drafted, signed([RUS]), { type: 'PartyWithdrew', data: { party: TUR }, occurredAt: '2018-05' })
      .when(cmd('SignAgreement', { signatories: [TUR] }, '2015-07-20'))
      .thenEvents([{ type: 'AgreementSigned', data: { signatories: [TUR] } }]);
  });
});

describe('agreement decider: a fact that makes a later fact impossible', () => {
  it('given a ratification dated June, a ratification of the same party dated May is refused LATER_FACT_CONFLICT naming it', () => {
    const error = given(drafted, signed(), { type: 'AgreementRatified', data: { party: RUS }, occurredAt: '2015-09' })
      .when(cmd('RatifyAgreement', { party: RUS }, '2015-08'))
      .thenError('LATER_FACT_CONFLICT');
    expect(error.details).toEqual({
      laterEventId: eventIdOf(3),
      laterEventType: 'AgreementRatified',
      laterOccurredAt: '2015-09',
      rule: 'ALREADY_RATIFIED',
    });
    expect(error.message).toContain(eventIdOf(3));
  });

  it('given a signature, a termination dated before it is refused: the signature would come after the end', () => {
    const error = given(drafted, { type: 'AgreementAdopted', data: { adoptedBy: [RUS, TUR], method: 'adoption' }, occurredAt: '2015-07-14' }, signed([IRN], '2016-03'))
      .when(cmd('TerminateAgreement', { reason: 'x' }, '2016-01'))
      .thenError('LATER_FACT_CONFLICT');
    expect(error.details).toMatchObject({ laterEventId: eventIdOf(3), laterEventType: 'AgreementSigned', rule: 'AGREEMENT_FINAL' });
  });

  it('given a suspension and a resumption, a second suspension dated between them is refused naming the first', () => {
    const error = given(drafted, signed(), inForce(), { type: 'AgreementSuspended', data: {}, occurredAt: '2017-03' }, { type: 'AgreementResumed', data: {}, occurredAt: '2017-09' })
      .when(cmd('SuspendAgreement', {}, '2017-01'))
      .thenError('LATER_FACT_CONFLICT');
    expect(error.details).toMatchObject({ laterEventId: eventIdOf(4), rule: 'AGREEMENT_ALREADY_SUSPENDED' });
  });

  it('a later fact that was already impossible is not the new fact\'s fault', () => {
    // A stored log from before the rules: a second entry into force. A breach inserted before it breaks nothing new.
    given(drafted, signed(), inForce(), inForce('2016-06'))
      .when(cmd('ReportBreach', { allegedBy: TUR, description: 'x' }, '2016-02'))
      .thenEvents([{ type: 'BreachReported', data: { allegedBy: TUR, description: 'x' } }]);
  });

  it('a fact dated before the drafting is refused NOT_YET_DRAFTED', () => {
    given(drafted).when(cmd('AddProvision', { provisionId: 'cap', kind: 'commitment', title: 'Cap' }, '2014')).thenError('NOT_YET_DRAFTED');
  });
});

describe('agreement decider: corrections and retractions re-checked in business time', () => {
  const correct = (target: number, occurredAt: string) =>
    cmd('RecordCorrection', { targetEventId: eventIdOf(target), occurredAt, reason: 'source' }, '2024');

  it('given a supersession, a correction moving a signature after it is refused with the rule the signature breaks', () => {
    const error = given(drafted, signed([RUS]), signed([TUR], '2016-03'), superseded())
      .when(correct(3, '2021'))
      .thenError('AGREEMENT_FINAL');
    expect(error.details).toMatchObject({ endedBy: eventIdOf(4) });
  });

  it('given an entry into force, a correction moving the only signature after it is refused naming the entry into force', () => {
    const error = given(drafted, signed(), inForce()).when(correct(2, '2016-02')).thenError('LATER_FACT_CONFLICT');
    expect(error.details).toMatchObject({ laterEventId: eventIdOf(3), laterEventType: 'AgreementEnteredIntoForce', rule: 'AGREEMENT_NOT_SIGNED' });
  });

  it('given an entry into force, retracting the only signature is refused naming the entry into force', () => {
    given(drafted, signed(), inForce())
      .when(cmd('RetractEvent', { targetEventId: eventIdOf(2), reason: 'never signed' }, '2024'))
      .thenError('LATER_FACT_CONFLICT');
  });

  it('a correction that keeps every fact possible is accepted', () => {
    given(drafted, signed(), inForce())
      .when(correct(2, '2015-07-15'))
      .thenEvents([{ type: 'EventCorrected', data: { targetEventId: eventIdOf(2), occurredAt: '2015-07-15', reason: 'source' } }]);
  });

  it('retracting the drafting withdraws the whole record and is accepted', () => {
    given(drafted, signed(), inForce())
      .when(cmd('RetractEvent', { targetEventId: eventIdOf(1), reason: 'not an agreement' }, '2024'))
      .thenEvents([{ type: 'EventRetracted', data: { targetEventId: eventIdOf(1), reason: 'not an agreement' } }]);
  });
});

describe('agreement decider: explained when too early', () => {
  it('an entry into force dated before the signature recorded later says so', () => {
    const error = given(drafted, signed([RUS], '2015-08')).when(cmd('BringIntoForce', {}, '2015-07-20')).thenError('IN_FORCE_BEFORE_SIGNATURE');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.details).toEqual({ signedAt: '2015-08' });
  });

  it('given only an agreement in force, the fast path judges a fact dated after everything on the loaded state', () => {
    given(drafted, signed(), inForce())
      .when(cmd('RecordWithdrawal', { party: USA }, '2018-05-08'))
      .thenError('NOT_A_PARTY');
  });
});
