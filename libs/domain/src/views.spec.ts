import {
  agreementDecider,
  type AgreementCommand,
  agreementView,
  loadStream,
  processDecider,
  type ProcessCommand,
  processView,
} from './index';
import { eventIdOf, record, toEnvelopes, type Fact } from './testing/given-when-then';
import scenario from '../../../examples/astana-2017.json';

const MEMORANDUM = 'astana-deescalation-memorandum';

/** The Astana scenario, each command decided and evolved on its own stream as the API would. */
function recordAstana() {
  const counter = { next: 1 };
  let agreement = { state: agreementDecider.initialState, history: [] as ReturnType<typeof record>['history'] };
  let process = { state: processDecider.initialState, history: [] as ReturnType<typeof record>['history'] };
  for (const step of scenario.steps) {
    const command = { type: step.body.type, data: step.body.data, occurredAt: step.body.occurredAt };
    if (step.path === `/v1/agreements/${MEMORANDUM}/commands`) {
      agreement = record(agreementDecider, `agreement-${MEMORANDUM}`, [command as AgreementCommand], {
        ...agreement,
        counter,
      });
    } else {
      expect(step.path).toBe('/v1/processes/astana/commands');
      process = record(processDecider, 'process-astana', [command as ProcessCommand], { ...process, counter });
    }
  }
  return { agreement, process };
}

describe('views of the Astana scenario (6 July 2017)', () => {
  const { agreement, process } = recordAstana();

  it('the memorandum is in force and contested; Russia, Turkey and Iran signed, the opposition rejected it', () => {
    const view = agreementView(agreement.state, MEMORANDUM);
    expect(view).toMatchObject({
      agreementId: MEMORANDUM,
      title: 'Memorandum on the creation of de-escalation areas in the Syrian Arab Republic',
      kind: 'memorandum',
      processId: 'astana',
      status: 'in-force',
      contested: true,
      revision: 8,
      signedAt: '2017-05-04',
      enteredIntoForceAt: '2017-05-06',
      supersededBy: null,
    });
    expect(view?.parties.map(({ id, name, status }) => ({ id, name, status }))).toEqual([
      { id: 'RUS', name: 'Russia', status: 'signed' },
      { id: 'TUR', name: 'Turkey', status: 'signed' },
      { id: 'IRN', name: 'Iran', status: 'signed' },
      { id: 'group:syrian-opposition', name: 'Syrian opposition delegation', status: 'rejected' },
    ]);
    expect(agreement.history.map((e) => e.type)).toContain('MemorandumSigned');
  });

  it('its four zones are planned', () => {
    expect(agreementView(agreement.state, MEMORANDUM)?.provisions).toEqual([
      {
        provisionId: 'idlib',
        kind: 'zone',
        title: 'Idlib de-escalation zone',
        area: 'Idlib province',
        status: 'planned',
      },
      {
        provisionId: 'northern-homs',
        kind: 'zone',
        title: 'Northern Homs de-escalation zone',
        area: 'Homs province',
        status: 'planned',
      },
      {
        provisionId: 'eastern-ghouta',
        kind: 'zone',
        title: 'Eastern Ghouta de-escalation zone',
        area: 'Eastern Ghouta, Damascus countryside',
        status: 'planned',
      },
      {
        provisionId: 'south',
        kind: 'zone',
        title: 'Southern de-escalation zone',
        area: 'Daraa and Quneitra provinces',
        status: 'planned',
      },
    ]);
  });

  it('its term is six months from entry into force, renewable by consensus', () => {
    expect(agreementView(agreement.state, MEMORANDUM)?.term).toEqual({
      duration: 'P6M',
      countedFrom: 'entry-into-force',
      endsAt: '2017-11-05T23:59:59.999Z',
      renewal: 'by-consensus',
      extensions: [],
    });
  });

  it('round 5 was held on 4-5 July and concluded; round 6 is the next round, at month precision (August 2017)', () => {
    const view = processView(process.state, 'astana');
    expect(view?.rounds).toEqual([
      expect.objectContaining({
        roundId: 'round-5',
        ordinal: 5,
        venue: 'Astana',
        status: 'concluded',
        scheduledWindow: '2017-07-04/2017-07-05',
        firstScheduledWindow: '2017-07-04/2017-07-05',
        postponements: [],
        heldFrom: '2017-07-04',
        heldTo: '2017-07-05',
        outcome: 'Agreement to form a joint working group on de-escalation zones',
      }),
      expect.objectContaining({
        roundId: 'round-6',
        ordinal: 6,
        status: 'scheduled',
        scheduledWindow: '2017-08',
        heldFrom: null,
        heldTo: null,
      }),
    ]);
    expect(view?.nextRound).toEqual({
      roundId: 'round-6',
      ordinal: 6,
      venue: 'Astana',
      window: '2017-08',
      precision: 'month',
      earliest: '2017-08-01T00:00:00.000Z',
      latest: '2017-08-31T23:59:59.999Z',
    });
  });

  it('the joint working group serves the memorandum', () => {
    expect(processView(process.state, 'astana')?.workingGroups).toEqual([
      {
        workingGroupId: 'deescalation-joint-working-group',
        name: 'Joint working group on de-escalation zones',
        mandate: 'establish the de-escalation zones',
        members: [
          { id: 'RUS', name: 'Russia' },
          { id: 'TUR', name: 'Turkey' },
          { id: 'IRN', name: 'Iran' },
        ],
        status: 'active',
        agreementIds: [MEMORANDUM],
      },
    ]);
  });

  it('the process is open, hosted by Kazakhstan, with its participants by role, three documents tabled and a joint statement', () => {
    const view = processView(process.state, 'astana');
    expect(view).toMatchObject({
      processId: 'astana',
      name: 'Astana talks on Syria',
      conflict: 'Syrian civil war',
      hostCountry: 'KAZ',
      status: 'open',
      revision: 17,
    });
    expect(view?.participants.map((p) => `${p.id}:${p.role}:${p.status}`)).toEqual([
      'RUS:guarantor:active',
      'TUR:guarantor:active',
      'IRN:guarantor:active',
      'gov:syrian-government:party:active',
      'group:syrian-opposition:party:active',
      'igo:un:observer:active',
      'USA:observer:active',
      'JOR:observer:active',
    ]);
    expect(view?.documents.map((d) => `${d.documentId}:${d.status}`)).toEqual([
      'deescalation-doc-1:tabled',
      'deescalation-doc-2:tabled',
      'deescalation-doc-3:tabled',
    ]);
    expect(view?.statements).toEqual([expect.objectContaining({ kind: 'joint-statement', occurredAt: '2017-07-05' })]);
  });

  it('as of 5 May 2017 the memorandum was signed, not yet in force', () => {
    const state = loadStream(agreementDecider, agreement.history, { asOf: '2017-05-05' }).state;
    expect(agreementView(state, MEMORANDUM)).toMatchObject({ status: 'signed', contested: true });
  });

  it('as of April 2017 it did not exist yet', () => {
    expect(
      agreementView(loadStream(agreementDecider, agreement.history, { asOf: '2017-04' }).state, MEMORANDUM),
    ).toBeNull();
  });

  it('as known before the rejection was recorded, it was not contested', () => {
    const rejection = agreement.history.find((e) => e.type === 'PartyRejected');
    const before = new Date(Date.parse(rejection!.recordedAt) - 1).toISOString();
    const state = loadStream(agreementDecider, agreement.history, { knownAt: before }).state;
    expect(agreementView(state, MEMORANDUM)).toMatchObject({ status: 'in-force', contested: false });
  });
});

describe('agreement view', () => {
  const drafted: Fact = {
    type: 'AgreementDrafted',
    data: { title: 'Ceasefire', kind: 'ceasefire', parties: [{ id: 'RUS', name: 'Russia' }] },
    occurredAt: '2016-12',
  };
  const signed: Fact = {
    type: 'AgreementSigned',
    data: { signatories: [{ id: 'RUS', name: 'Russia' }] },
    occurredAt: '2016-12-29',
  };
  const viewOf = (...facts: Fact[]) => agreementView(loadStream(agreementDecider, toEnvelopes(facts)).state, 'ceasefire');

  it('is null before the agreement was drafted', () => {
    expect(agreementView(agreementDecider.initialState, 'x')).toBeNull();
  });

  it('a term with a duration ends counted from the signature while the agreement is not in force', () => {
    expect(
      viewOf(drafted, signed, { type: 'TermSet', data: { duration: 'P3M', renewal: 'automatic' } })?.term?.endsAt,
    ).toBe('2017-03-28T23:59:59.999Z');
  });

  it('a term with a duration has no end before the agreement is signed', () => {
    expect(viewOf(drafted, { type: 'TermSet', data: { duration: 'P3M', renewal: 'none' } })?.term).toMatchObject({
      endsAt: null,
      duration: 'P3M',
    });
  });

  it('a term until a period ends at the end of that period; the last extension sets a new end', () => {
    const term: Fact = { type: 'TermSet', data: { until: '2017-06', renewal: 'by-consensus' } };
    expect(viewOf(drafted, signed, term)?.term?.endsAt).toBe('2017-06-30T23:59:59.999Z');
    const extended: Fact = {
      type: 'TermExtended',
      data: { until: '2017-12-31', basis: 'explicit' },
      occurredAt: '2017-06-20',
    };
    expect(viewOf(drafted, signed, term, extended)?.term).toEqual({
      until: '2017-06',
      endsAt: '2017-12-31T23:59:59.999Z',
      renewal: 'by-consensus',
      extensions: [{ until: '2017-12-31', basis: 'explicit', occurredAt: '2017-06-20' }],
    });
  });

  it('shows provision assessments with their level and reported breaches', () => {
    const view = viewOf(
      drafted,
      signed,
      { type: 'ProvisionAdded', data: { provisionId: 'aleppo', kind: 'zone', title: 'Aleppo' } },
      { type: 'ProvisionAssessed', data: { provisionId: 'aleppo', status: 'violated', level: 1 } },
      {
        type: 'BreachReported',
        data: { provisionId: 'aleppo', allegedBy: { id: 'TUR', name: 'Turkey' }, description: 'shelling' },
        occurredAt: '2017-01-02',
      },
    );
    expect(view?.provisions).toEqual([
      { provisionId: 'aleppo', kind: 'zone', title: 'Aleppo', status: 'violated', level: 1 },
    ]);
    expect(view?.breaches).toEqual([
      {
        eventId: eventIdOf(5),
        provisionId: 'aleppo',
        allegedBy: { id: 'TUR', name: 'Turkey' },
        description: 'shelling',
        occurredAt: '2017-01-02',
      },
    ]);
  });

  it('reflects a corrected business time and a retracted event', () => {
    const view = viewOf(
      drafted,
      signed,
      { type: 'AgreementEnteredIntoForce', data: {}, occurredAt: '2016-12-30' },
      { type: 'EventCorrected', data: { targetEventId: eventIdOf(2), occurredAt: '2016-12-28', reason: 'r' } },
      { type: 'EventRetracted', data: { targetEventId: eventIdOf(3), reason: 'r' } },
    );
    expect(view).toMatchObject({ status: 'signed', signedAt: '2016-12-28', enteredIntoForceAt: null, revision: 4 });
  });
});

describe('process view', () => {
  const opened: Fact = { type: 'ProcessOpened', data: { name: 'Geneva' }, occurredAt: '2016' };
  const schedule = (roundId: string, window: string, ordinal?: number): Fact => ({
    type: 'TalksScheduled',
    data: { roundId, venue: 'Geneva', window, ...(ordinal ? { ordinal } : {}) },
    occurredAt: '2016-01',
  });
  const viewOf = (...facts: Fact[]) => processView(loadStream(processDecider, toEnvelopes(facts)).state, 'geneva');

  it('is null before the process was opened', () => {
    expect(processView(processDecider.initialState, 'geneva')).toBeNull();
  });

  it('the next round is the pending one whose window starts soonest, postponed rounds included', () => {
    const view = viewOf(
      opened,
      schedule('round-1', '2016-02-01'),
      schedule('round-2', '2016-03'),
      schedule('round-3', '2016-04-10'),
      { type: 'TalksPostponed', data: { roundId: 'round-1', newWindow: '2016-05' }, occurredAt: '2016-01-20' },
    );
    expect(view?.nextRound).toMatchObject({ roundId: 'round-2', window: '2016-03', precision: 'month', ordinal: null });
    expect(view?.rounds[0]).toMatchObject({
      status: 'postponed',
      scheduledWindow: '2016-05',
      firstScheduledWindow: '2016-02-01',
    });
  });

  it('at the same start, the narrower window comes first', () => {
    expect(viewOf(opened, schedule('round-1', '2016-03'), schedule('round-2', '2016-03-01'))?.nextRound?.roundId).toBe(
      'round-2',
    );
  });

  it('has no next round when none is pending', () => {
    const view = viewOf(opened, schedule('round-1', '2016-02'), {
      type: 'TalksCancelled',
      data: { roundId: 'round-1' },
      occurredAt: '2016-01-25',
    });
    expect(view?.nextRound).toBeNull();
    expect(view?.rounds[0].status).toBe('cancelled');
  });

  it('keeps withdrawn participants, with their status', () => {
    const actor = { id: 'igo:un', name: 'United Nations' };
    const view = viewOf(
      opened,
      {
        type: 'ParticipantAdmitted',
        data: {
          actor,
          role: 'mediator',
          delegationHead: { id: 'person:staffan-de-mistura', name: 'Staffan de Mistura' },
        },
      },
      { type: 'ParticipantWithdrew', data: { actor }, occurredAt: '2018' },
    );
    expect(view?.participants).toEqual([
      {
        id: 'igo:un',
        name: 'United Nations',
        role: 'mediator',
        status: 'withdrawn',
        delegationHead: { id: 'person:staffan-de-mistura', name: 'Staffan de Mistura' },
      },
    ]);
  });

  it('shows a closed process', () => {
    expect(viewOf(opened, { type: 'ProcessClosed', data: { reason: 'ended' }, occurredAt: '2019' })).toMatchObject({
      status: 'closed',
      closedAt: '2019',
    });
  });
});
