import { deciderSpec, eventIdOf, type Fact } from '../testing/given-when-then';
import { agreementDecider } from './agreement.decider';
import { isBoundParty, partiesMatching } from './agreement.parties';
import type { AgreementCommand } from './agreement.schemas';
import { isInForceForParty, isInForceForPartyOn, partyStatusAt } from './agreement.in-force';
import { agreementView } from './agreement.view';

const USA = { id: 'USA', name: 'United States' };
const IRN = { id: 'IRN', name: 'Iran' };
const FRA = { id: 'FRA', name: 'France' };
const DEU = { id: 'DEU', name: 'Germany' };
const GBR = { id: 'GBR', name: 'United Kingdom' };
const E3 = { id: 'group:e3', name: 'E3', members: [FRA, DEU, GBR] };
const UNSC = { id: 'igo:unsc', name: 'UN Security Council' };

const { given } = deciderSpec(agreementDecider, 'agreement-jcpoa');
const cmd = (type: AgreementCommand['type'], data: Record<string, unknown>, occurredAt: string) =>
  ({ type, data, occurredAt }) as AgreementCommand;

const drafted: Fact = { type: 'AgreementDrafted', data: { title: 'JCPOA', kind: 'comprehensive', parties: [IRN, USA, E3] }, occurredAt: '2015-07' };
const adopted = (adoptedBy = [IRN, USA, E3], occurredAt = '2015-07-14'): Fact => ({
  type: 'AgreementAdopted',
  data: { adoptedBy, method: 'consensus', place: 'Vienna' },
  occurredAt,
});
const inForce: Fact = { type: 'AgreementEnteredIntoForce', data: {}, occurredAt: '2015-10-18' };
const usaWithdrew: Fact = { type: 'PartyWithdrew', data: { party: USA }, occurredAt: '2018-05-08' };
const terminated: Fact = { type: 'AgreementTerminated', data: { reason: 'snapback' }, occurredAt: '2025-10' };

describe('agreement decider: adoption', () => {
  it('a draft is adopted without signatures: status adopted, adoptedBy become adopted parties', () => {
    given(drafted)
      .when(cmd('AdoptAgreement', { adoptedBy: [IRN, USA], method: 'consensus' }, '2015-07-14'))
      .thenEvents([{ type: 'AgreementAdopted', data: { adoptedBy: [IRN, USA], method: 'consensus' } }]);
    const { state } = given(drafted, adopted([IRN, USA]));
    expect(state.agreement).toMatchObject({ status: 'adopted', adoptedAt: '2015-07-14', statusSince: '2015-07-14' });
    expect(state.agreement?.parties.map((p) => [p.id, p.status])).toEqual([['IRN', 'adopted'], ['USA', 'adopted'], ['group:e3', 'pending']]);
  });

  it('an adopted agreement enters into force like a signed one', () => {
    given(drafted, adopted()).when(cmd('BringIntoForce', {}, '2015-10-18')).thenEvents([{ type: 'AgreementEnteredIntoForce', data: {} }]);
  });

  it('an agreement is adopted once, and not after it was signed', () => {
    given(drafted, adopted()).when(cmd('AdoptAgreement', { adoptedBy: [IRN], method: 'adoption' }, '2015-08')).thenError('ALREADY_ADOPTED');
    given(drafted, { type: 'AgreementSigned', data: { signatories: [IRN] }, occurredAt: '2015-07-14' })
      .when(cmd('AdoptAgreement', { adoptedBy: [USA], method: 'initialling' }, '2015-08'))
      .thenError('AGREEMENT_ALREADY_CONCLUDED');
    given(drafted).when(cmd('AdoptAgreement', { adoptedBy: [IRN, IRN], method: 'adoption' }, '2015-08')).thenError('DUPLICATE_ACTOR');
  });

  it('a later signature still counts per party; the agreement stays adopted', () => {
    const { state } = given(drafted, adopted([IRN]), { type: 'AgreementSigned', data: { signatories: [USA] }, occurredAt: '2015-08' });
    expect(state.agreement?.status).toBe('adopted');
    expect(state.agreement?.parties.find((p) => p.id === 'USA')?.status).toBe('signed');
  });
});

describe('agreement decider: accession', () => {
  it('a state accedes to a concluded agreement, not to a draft', () => {
    const CHN = { id: 'CHN', name: 'China' };
    given(drafted, adopted()).when(cmd('RecordAccession', { party: CHN }, '2016')).thenEvents([{ type: 'PartyAcceded', data: { party: CHN } }]);
    given(drafted).when(cmd('RecordAccession', { party: CHN }, '2016')).thenError('NOT_CONCLUDED');
  });

  it('a bound party does not accede; after withdrawing it accedes again, each change an interval of its own', () => {
    given(drafted, adopted()).when(cmd('RecordAccession', { party: USA }, '2016')).thenError('ALREADY_BOUND');
    given(drafted, adopted(), inForce, usaWithdrew)
      .when(cmd('RecordAccession', { party: USA }, '2021-02'))
      .thenEvents([{ type: 'PartyAcceded', data: { party: USA } }]);
    const { state } = given(drafted, adopted(), inForce, usaWithdrew, { type: 'PartyAcceded', data: { party: USA }, occurredAt: '2021-02' });
    expect(state.agreement?.parties.find((p) => p.id === 'USA')?.statusHistory).toEqual([
      { status: 'pending', from: '2015-07', to: '2015-07-14', eventId: eventIdOf(1) },
      { status: 'adopted', from: '2015-07-14', to: '2018-05-08', eventId: eventIdOf(2) },
      { status: 'withdrawn', from: '2018-05-08', to: '2021-02', eventId: eventIdOf(4) },
      { status: 'acceded', from: '2021-02', to: null, eventId: eventIdOf(5) },
    ]);
  });

  it('an accession dated before the withdrawal is refused: the party was still bound then', () => {
    given(drafted, adopted(), inForce, usaWithdrew)
      .when(cmd('RecordAccession', { party: USA }, '2017'))
      .thenError('ALREADY_BOUND');
  });
});

describe('agreement decider: bound parties', () => {
  const CHN = { id: 'CHN', name: 'China' };
  const acceded: Fact = { type: 'PartyAcceded', data: { party: CHN }, occurredAt: '2016' };

  it('a party that acceded does not sign: it is bound already', () => {
    given(drafted, adopted(), acceded).when(cmd('SignAgreement', { signatories: [CHN] }, '2016-06')).thenError('ALREADY_BOUND');
  });

  it('an adopted or acceded party withdraws; a party that acceded leaves by withdrawal, not rejection', () => {
    given(drafted, adopted()).when(cmd('RecordWithdrawal', { party: IRN }, '2016')).thenEvents([{ type: 'PartyWithdrew', data: { party: IRN } }]);
    given(drafted, adopted(), acceded).when(cmd('RecordWithdrawal', { party: CHN }, '2017')).thenEvents([{ type: 'PartyWithdrew', data: { party: CHN } }]);
    given(drafted, adopted(), acceded).when(cmd('RecordRejection', { party: CHN }, '2017')).thenError('REJECTION_AFTER_RATIFICATION');
  });

  it('an adopted party ratifies', () => {
    given(drafted, adopted()).when(cmd('RatifyAgreement', { party: IRN }, '2016')).thenEvents([{ type: 'AgreementRatified', data: { party: IRN } }]);
  });
});

describe('agreement decider: endorsement', () => {
  it('a third body endorses the agreement: shown, never a change of status', () => {
    const data = { by: UNSC, instrument: 'Resolution 2231', url: 'https://undocs.org/S/RES/2231(2015)' };
    given(drafted, adopted()).when(cmd('EndorseAgreement', data, '2015-07-20')).thenEvents([{ type: 'AgreementEndorsed', data }]);
    const { state } = given(drafted, adopted(), { type: 'AgreementEndorsed', data, occurredAt: '2015-07-20' });
    expect(state.agreement?.status).toBe('adopted');
    expect(state.agreement?.endorsements).toEqual([{ ...data, at: '2015-07-20', eventId: eventIdOf(3) }]);
  });

  it('the same instrument endorses once', () => {
    const data = { by: UNSC, instrument: 'Resolution 2231' };
    given(drafted, { type: 'AgreementEndorsed', data, occurredAt: '2015-07-20' }).when(cmd('EndorseAgreement', data, '2015-08')).thenError('ALREADY_ENDORSED');
  });
});

describe('agreement decider: disputes', () => {
  it('a party disputes the recorded end: accepted in a final status, the agreement is contested while the dispute is open', () => {
    given(drafted, adopted(), inForce, terminated)
      .when(cmd('DisputeStatus', { party: IRN, claim: 'in-force', reason: 'snapback invalid' }, '2025-11'))
      .thenEvents([{ type: 'StatusDisputed', data: { party: IRN, claim: 'in-force', reason: 'snapback invalid' } }]);
    const disputed: Fact = { type: 'StatusDisputed', data: { party: IRN, claim: 'in-force' }, occurredAt: '2025-11' };
    const { state } = given(drafted, adopted(), inForce, terminated, disputed);
    expect(state.agreement).toMatchObject({ status: 'terminated', contested: true, disputes: [{ party: IRN, claim: 'in-force', since: '2025-11', eventId: eventIdOf(5) }] });
    const withdrawn = given(drafted, adopted(), inForce, terminated, disputed, { type: 'DisputeWithdrawn', data: { party: IRN }, occurredAt: '2026' });
    expect(withdrawn.state.agreement).toMatchObject({ contested: false, disputes: [] });
  });

  it('the same claim is not disputed twice while open; only an open dispute is withdrawn', () => {
    const disputed: Fact = { type: 'StatusDisputed', data: { party: IRN, claim: 'in-force' }, occurredAt: '2025-11' };
    given(drafted, adopted(), disputed).when(cmd('DisputeStatus', { party: IRN, claim: 'in-force' }, '2025-12')).thenError('ALREADY_DISPUTED');
    given(drafted, adopted()).when(cmd('WithdrawDispute', { party: IRN }, '2026')).thenError('NO_DISPUTE');
  });
});

describe('per-party status and groups', () => {
  it('the agreement is in force for a party while it is in force and the party bound', () => {
    const inForceThen = given(drafted, adopted(), inForce).state.agreement;
    const afterWithdrawal = given(drafted, adopted(), inForce, usaWithdrew).state.agreement;
    expect([isInForceForParty(inForceThen, 'USA'), isInForceForParty(afterWithdrawal, 'USA'), isInForceForParty(afterWithdrawal, 'IRN')]).toEqual([true, false, true]);
    expect(isInForceForParty(given(drafted, adopted()).state.agreement, 'IRN')).toBe(false);
  });

  it('given the USA withdrew in May 2018, the agreement is in force for it in 2017, not on 1 January 2019; for Germany through the E3', () => {
    const { history } = given(drafted, adopted(), inForce, usaWithdrew);
    expect([isInForceForPartyOn(history, 'USA', '2017-06-01'), isInForceForPartyOn(history, 'USA', '2019-01-01'), isInForceForPartyOn(history, 'DEU', '2019-01-01')]).toEqual([true, false, true]);
    const usa = given(drafted, adopted(), inForce, usaWithdrew).state.agreement?.parties.find((p) => p.id === 'USA');
    expect([partyStatusAt(usa?.statusHistory ?? [], '2016')?.status, partyStatusAt(usa?.statusHistory ?? [], '2019')?.status]).toEqual(['adopted', 'withdrawn']);
  });

  it('a member of a group party is matched through the group', () => {
    const parties = given(drafted, adopted()).state.agreement?.parties ?? [];
    expect(partiesMatching(parties, 'DEU').map((p) => p.id)).toEqual(['group:e3']);
    expect([isBoundParty(parties, 'FRA'), isBoundParty(parties, 'ITA')]).toEqual([true, false]);
  });
});

describe('agreement view: v2 fields', () => {
  it('shows adoption, endorsements, open disputes, party histories and members; an ending closes the provisions', () => {
    const { state } = given(
      drafted,
      { type: 'ProvisionAdded', data: { provisionId: 'cap', kind: 'commitment', title: 'Enrichment cap' }, occurredAt: '2015-07' },
      adopted(),
      { type: 'ProvisionAssessed', data: { provisionId: 'cap', status: 'operating', level: 2 }, occurredAt: '2016' },
      { type: 'AgreementEndorsed', data: { by: UNSC, instrument: 'Resolution 2231' }, occurredAt: '2015-07-20' },
      inForce,
      terminated,
      { type: 'StatusDisputed', data: { party: IRN, claim: 'in-force' }, occurredAt: '2025-11' },
    );
    const view = agreementView(state, 'jcpoa');
    expect(view).toMatchObject({
      status: 'terminated',
      adoptedAt: '2015-07-14',
      contested: true,
      disputes: [{ party: IRN, claim: 'in-force', since: '2025-11', eventId: eventIdOf(8) }],
      endorsements: [{ by: UNSC, instrument: 'Resolution 2231', at: '2015-07-20', eventId: eventIdOf(5) }],
      provisions: [{ provisionId: 'cap', status: 'ended' }],
    });
    expect(view?.provisions[0].level).toBeUndefined();
    expect(view?.parties.find((p) => p.id === 'group:e3')).toMatchObject({ members: [FRA, DEU, GBR], status: 'adopted' });
  });
});
