import { deciderSpec, eventIdOf, type Fact } from '../testing/given-when-then';
import { processDecider } from './process.decider';
import type { ProcessCommand } from './process.schemas';

const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };
const IRN = { id: 'IRN', name: 'Iran' };
const UN = { id: 'igo:un', name: 'United Nations' };
const GOV = { id: 'gov:syrian-government', name: 'Syrian government delegation' };

const { given } = deciderSpec(processDecider, 'process-astana');
const cmd = (type: ProcessCommand['type'], data: Record<string, unknown>, occurredAt = '2017-07-05') =>
  ({ type, data, occurredAt }) as ProcessCommand;

const opened: Fact = {
  type: 'ProcessOpened',
  data: { name: 'Astana talks on Syria', conflict: 'Syrian civil war', hostCountry: 'KAZ' },
  occurredAt: '2017-01',
};
const admitted = (actor = RUS, role = 'guarantor'): Fact => ({
  type: 'ParticipantAdmitted',
  data: { actor, role },
  occurredAt: '2017-07-04',
});
const participantWithdrew = (actor = RUS): Fact => ({
  type: 'ParticipantWithdrew',
  data: { actor },
  occurredAt: '2018',
});
const scheduled = (roundId = 'round-5', window = '2017-07-04/2017-07-05', ordinal = 5): Fact => ({
  type: 'TalksScheduled',
  data: { roundId, ordinal, venue: 'Astana', window },
  occurredAt: '2017-06',
});
const postponed = (roundId = 'round-5', newWindow = '2017-07-10'): Fact => ({
  type: 'TalksPostponed',
  data: { roundId, newWindow },
  occurredAt: '2017-07-01',
});
const convened = (roundId = 'round-5', occurredAt = '2017-07-04'): Fact => ({
  type: 'TalksConvened',
  data: { roundId, delegations: [GOV], observers: [UN] },
  occurredAt,
});
const concluded = (roundId = 'round-5'): Fact => ({
  type: 'TalksConcluded',
  data: { roundId, outcome: 'a working group' },
  occurredAt: '2017-07-05',
});
const cancelled = (roundId = 'round-5'): Fact => ({
  type: 'TalksCancelled',
  data: { roundId },
  occurredAt: '2017-07-01',
});
const formed = (workingGroupId = 'deescalation-wg'): Fact => ({
  type: 'WorkingGroupFormed',
  data: {
    workingGroupId,
    name: 'WG',
    mandate: 'zones',
    members: [RUS, TUR, IRN],
    agreementIds: ['astana-deescalation-memorandum'],
  },
});
const tabled = (documentId = 'doc-1'): Fact => ({
  type: 'DocumentTabled',
  data: { documentId, title: 'Coordination centre', topic: 'monitoring' },
});
const closed: Fact = { type: 'ProcessClosed', data: {}, occurredAt: '2020' };

describe('process decider: opening and closing', () => {
  it('opening a new process records ProcessOpened', () => {
    const data = { name: 'Astana talks on Syria', hostCountry: 'KAZ' };
    given()
      .when(cmd('OpenProcess', data, '2017-01'))
      .thenEvents([{ type: 'ProcessOpened', data }]);
  });

  it('a process is opened once', () => {
    given(opened)
      .when(cmd('OpenProcess', { name: 'Again' }))
      .thenError('PROCESS_EXISTS');
  });

  it.each([
    ['AdmitParticipant', { actor: RUS, role: 'guarantor' }],
    ['CloseProcess', {}],
    ['RecordCorrection', { targetEventId: eventIdOf(1), occurredAt: '2017', reason: 'x' }],
  ] as const)('%s on a process that was never opened: PROCESS_NOT_FOUND (404)', (type, data) => {
    given().when(cmd(type, data)).thenError('PROCESS_NOT_FOUND', 404);
  });

  it('an open process is closed', () => {
    given(opened)
      .when(cmd('CloseProcess', { reason: 'Geneva took over' }, '2020'))
      .thenEvents([{ type: 'ProcessClosed', data: { reason: 'Geneva took over' } }]);
    expect(given(opened, closed).state.process).toMatchObject({ status: 'closed', closedAt: '2020' });
  });

  it('a closed process refuses everything but corrections', () => {
    const commands: Array<[ProcessCommand['type'], Record<string, unknown>]> = [
      ['AdmitParticipant', { actor: TUR, role: 'guarantor' }],
      ['RecordParticipantWithdrawal', { actor: RUS }],
      ['ScheduleTalks', { roundId: 'round-9', venue: 'Astana', window: '2021' }],
      ['PostponeTalks', { roundId: 'round-5', newWindow: '2021' }],
      ['ConveneTalks', { roundId: 'round-5', delegations: [], observers: [] }],
      ['ConcludeTalks', { roundId: 'round-5', outcome: 'x' }],
      ['CancelTalks', { roundId: 'round-5' }],
      ['FormWorkingGroup', { workingGroupId: 'wg-2', name: 'n', mandate: 'm', members: [], agreementIds: [] }],
      ['DissolveWorkingGroup', { workingGroupId: 'deescalation-wg' }],
      ['TableDocument', { documentId: 'doc-2', title: 't', topic: 't' }],
      ['AdoptDocument', { documentId: 'doc-1' }],
      ['IssueStatement', { issuers: [RUS], kind: 'remarks', summary: 's' }],
      ['CloseProcess', {}],
    ];
    const history = [opened, admitted(), scheduled(), formed(), tabled(), closed];
    for (const [type, data] of commands)
      given(...history)
        .when(cmd(type, data, '2021'))
        .thenError('PROCESS_CLOSED');
    given(...history)
      .when(cmd('RetractEvent', { targetEventId: eventIdOf(2), reason: 'x' }))
      .thenEvents([{ type: 'EventRetracted', data: { targetEventId: eventIdOf(2), reason: 'x' } }]);
  });
});

describe('process decider: participants', () => {
  it('an actor is admitted in a role', () => {
    given(opened)
      .when(
        cmd('AdmitParticipant', {
          actor: RUS,
          role: 'guarantor',
          delegationHead: { id: 'person:alexander-lavrentiev', name: 'Alexander Lavrentiev' },
        }),
      )
      .thenEvents([
        {
          type: 'ParticipantAdmitted',
          data: {
            actor: RUS,
            role: 'guarantor',
            delegationHead: { id: 'person:alexander-lavrentiev', name: 'Alexander Lavrentiev' },
          },
        },
      ]);
  });

  it('the same actor is not admitted twice in the same role', () => {
    given(opened, admitted(RUS, 'guarantor'))
      .when(cmd('AdmitParticipant', { actor: RUS, role: 'guarantor' }))
      .thenError('PARTICIPANT_ALREADY_ADMITTED');
  });

  it('one actor may hold several roles', () => {
    given(opened, admitted({ id: 'KAZ', name: 'Kazakhstan' }, 'host'))
      .when(cmd('AdmitParticipant', { actor: { id: 'KAZ', name: 'Kazakhstan' }, role: 'mediator' }))
      .thenEvents([
        { type: 'ParticipantAdmitted', data: { actor: { id: 'KAZ', name: 'Kazakhstan' }, role: 'mediator' } },
      ]);
  });

  it('a participant that withdrew may be admitted again in that role; it then appears once, active', () => {
    // Re-dated (v2): the re-admission is judged at its business time, so it is dated after the withdrawal (2018).
    given(opened, admitted(), participantWithdrew())
      .when(cmd('AdmitParticipant', { actor: RUS, role: 'guarantor' }, '2018-03'))
      .thenEvents([{ type: 'ParticipantAdmitted', data: { actor: RUS, role: 'guarantor' } }]);
    const { state } = given(opened, admitted(), participantWithdrew(), { ...admitted(), occurredAt: '2018-03' });
    expect(state.process?.participants).toEqual([
      expect.objectContaining({ id: 'RUS', role: 'guarantor', status: 'active' }),
    ]);
  });

  it('a participant withdraws from all its roles', () => {
    given(opened, admitted())
      .when(cmd('RecordParticipantWithdrawal', { actor: RUS, reason: 'x' }))
      .thenEvents([{ type: 'ParticipantWithdrew', data: { actor: RUS, reason: 'x' } }]);
    const { state } = given(opened, admitted(RUS, 'guarantor'), admitted(RUS, 'observer'), participantWithdrew(RUS));
    expect(state.process?.participants.map((p) => p.status)).toEqual(['withdrawn', 'withdrawn']);
  });

  it('only a participant withdraws', () => {
    given(opened, admitted(RUS))
      .when(cmd('RecordParticipantWithdrawal', { actor: TUR }))
      .thenError('PARTICIPANT_NOT_FOUND');
  });

  it('a participant withdraws once', () => {
    // Re-dated (v2): a second withdrawal dated before the first (2018) would be a LATER_FACT_CONFLICT instead.
    given(opened, admitted(RUS), participantWithdrew(RUS))
      .when(cmd('RecordParticipantWithdrawal', { actor: RUS }, '2019'))
      .thenError('PARTICIPANT_ALREADY_WITHDRAWN');
  });
});

describe('process decider: rounds of talks', () => {
  it('a round is scheduled with a window, often partial', () => {
    const data = { roundId: 'round-6', ordinal: 6, venue: 'Astana', window: '2017-08' };
    given(opened)
      .when(cmd('ScheduleTalks', data))
      .thenEvents([{ type: 'TalksScheduled', data }]);
  });

  it('round ids are unique', () => {
    given(opened, scheduled('round-5'))
      .when(cmd('ScheduleTalks', { roundId: 'round-5', venue: 'Astana', window: '2017-09' }))
      .thenError('ROUND_EXISTS');
  });

  it('two rounds do not share an ordinal, unless the first was cancelled', () => {
    given(opened, scheduled('round-5', '2017-07', 5))
      .when(cmd('ScheduleTalks', { roundId: 'round-5b', ordinal: 5, venue: 'Astana', window: '2017-09' }))
      .thenError('ROUND_ORDINAL_TAKEN');
    given(opened, scheduled('round-5', '2017-07', 5), cancelled('round-5'))
      .when(cmd('ScheduleTalks', { roundId: 'round-5b', ordinal: 5, venue: 'Astana', window: '2017-09' }))
      .thenEvents([
        { type: 'TalksScheduled', data: { roundId: 'round-5b', ordinal: 5, venue: 'Astana', window: '2017-09' } },
      ]);
  });

  it('a round is scheduled ahead: a window over before the announcement is refused', () => {
    given(opened)
      .when(cmd('ScheduleTalks', { roundId: 'round-1', venue: 'Astana', window: '2017-01' }, '2017-03-01'))
      .thenError('WINDOW_BEFORE_ANNOUNCEMENT');
  });

  it('a window must be a business time', () => {
    given(opened)
      .when(cmd('ScheduleTalks', { roundId: 'round-1', venue: 'Astana', window: 'end of August' }))
      .thenError('VALIDATION_FAILED', 400);
  });

  it('a scheduled or postponed round is postponed to a later window', () => {
    given(opened, scheduled())
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-07-10', reason: 'delegations' }, '2017-07-01'))
      .thenEvents([
        { type: 'TalksPostponed', data: { roundId: 'round-5', newWindow: '2017-07-10', reason: 'delegations' } },
      ]);
    given(opened, scheduled(), postponed('round-5', '2017-07-10'))
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-08' }, '2017-07-05'))
      .thenEvents([{ type: 'TalksPostponed', data: { roundId: 'round-5', newWindow: '2017-08' } }]);
  });

  it('a postponement keeps the first window and records the slippage', () => {
    const { state } = given(opened, scheduled('round-5', '2017-07-04/2017-07-05'), postponed('round-5', '2017-07-10'));
    expect(state.process?.rounds[0]).toMatchObject({
      status: 'postponed',
      scheduledWindow: '2017-07-10',
      firstScheduledWindow: '2017-07-04/2017-07-05',
      postponements: [{ from: '2017-07-04/2017-07-05', to: '2017-07-10', occurredAt: '2017-07-01' }],
    });
  });

  it('a postponement moves a round later', () => {
    given(opened, scheduled('round-5', '2017-07-04/2017-07-05'))
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-07-04' }, '2017-07-01'))
      .thenError('POSTPONEMENT_NOT_LATER');
    given(opened, scheduled('round-5', '2017-07-04/2017-07-05'))
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-06' }, '2017-06'))
      .thenError('POSTPONEMENT_NOT_LATER');
  });

  it('a new window cannot be over before the postponement', () => {
    given(opened, scheduled('round-5', '2017-07-04'))
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-07-10' }, '2017-08'))
      .thenError('WINDOW_BEFORE_ANNOUNCEMENT');
  });

  it('a round that convened, concluded or was cancelled is not postponed', () => {
    given(opened, scheduled(), convened())
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-08' }))
      .thenError('ROUND_ALREADY_CONVENED');
    // Re-dated (v2): on the conclusion's own day a postponement ranks before it (the round was then only convened).
    given(opened, scheduled(), convened(), concluded())
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-08' }, '2017-07-06'))
      .thenError('ROUND_ALREADY_CONCLUDED');
    given(opened, scheduled(), cancelled())
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-08' }))
      .thenError('ROUND_CANCELLED');
  });

  it('a scheduled or postponed round convenes', () => {
    const data = { roundId: 'round-5', delegations: [GOV, RUS], observers: [UN] };
    given(opened, scheduled())
      .when(cmd('ConveneTalks', data, '2017-07-04'))
      .thenEvents([{ type: 'TalksConvened', data }]);
    given(opened, scheduled(), postponed())
      .when(cmd('ConveneTalks', data, '2017-07-10'))
      .thenEvents([{ type: 'TalksConvened', data }]);
  });

  it('a round convenes once, and not after it was cancelled', () => {
    const data = { roundId: 'round-5', delegations: [], observers: [] };
    given(opened, scheduled(), convened()).when(cmd('ConveneTalks', data)).thenError('ROUND_ALREADY_CONVENED');
    given(opened, scheduled(), cancelled()).when(cmd('ConveneTalks', data)).thenError('ROUND_CANCELLED');
  });

  it('a delegation is named once, not also as an observer', () => {
    given(opened, scheduled())
      .when(cmd('ConveneTalks', { roundId: 'round-5', delegations: [RUS], observers: [RUS] }))
      .thenError('DUPLICATE_ACTOR');
  });

  it('a convened round concludes; held from convening to conclusion', () => {
    given(opened, scheduled(), convened())
      .when(cmd('ConcludeTalks', { roundId: 'round-5', outcome: 'a working group' }))
      .thenEvents([{ type: 'TalksConcluded', data: { roundId: 'round-5', outcome: 'a working group' } }]);
    const { state } = given(opened, scheduled(), convened(), concluded());
    expect(state.process?.rounds[0]).toMatchObject({
      status: 'concluded',
      heldFrom: '2017-07-04',
      heldTo: '2017-07-05',
      outcome: 'a working group',
    });
  });

  it('a round cannot be concluded before it convened', () => {
    given(opened, scheduled())
      .when(cmd('ConcludeTalks', { roundId: 'round-5', outcome: 'x' }))
      .thenError('ROUND_NOT_CONVENED');
    given(opened, scheduled(), postponed())
      .when(cmd('ConcludeTalks', { roundId: 'round-5', outcome: 'x' }))
      .thenError('ROUND_NOT_CONVENED');
  });

  it('a round concludes once, and not after it was cancelled', () => {
    given(opened, scheduled(), convened(), concluded())
      .when(cmd('ConcludeTalks', { roundId: 'round-5', outcome: 'x' }))
      .thenError('ROUND_ALREADY_CONCLUDED');
    given(opened, scheduled(), cancelled())
      .when(cmd('ConcludeTalks', { roundId: 'round-5', outcome: 'x' }))
      .thenError('ROUND_CANCELLED');
  });

  it('a conclusion cannot be dated before the round convened', () => {
    given(opened, scheduled(), convened('round-5', '2017-07-04'))
      .when(cmd('ConcludeTalks', { roundId: 'round-5', outcome: 'x' }, '2017-07-03'))
      .thenError('CONCLUDED_BEFORE_CONVENED');
  });

  it('a round is cancelled unless it concluded or was already cancelled', () => {
    given(opened, scheduled())
      .when(cmd('CancelTalks', { roundId: 'round-5', reason: 'x' }))
      .thenEvents([{ type: 'TalksCancelled', data: { roundId: 'round-5', reason: 'x' } }]);
    given(opened, scheduled(), convened())
      .when(cmd('CancelTalks', { roundId: 'round-5' }))
      .thenEvents([{ type: 'TalksCancelled', data: { roundId: 'round-5' } }]);
    given(opened, scheduled(), convened(), concluded())
      .when(cmd('CancelTalks', { roundId: 'round-5' }))
      .thenError('ROUND_ALREADY_CONCLUDED');
    given(opened, scheduled(), cancelled())
      .when(cmd('CancelTalks', { roundId: 'round-5' }))
      .thenError('ROUND_CANCELLED');
  });

  it.each([
    ['PostponeTalks', { roundId: 'round-7', newWindow: '2018' }],
    ['ConveneTalks', { roundId: 'round-7', delegations: [], observers: [] }],
    ['ConcludeTalks', { roundId: 'round-7', outcome: 'x' }],
    ['CancelTalks', { roundId: 'round-7' }],
  ] as const)('%s of a round never scheduled: ROUND_NOT_FOUND', (type, data) => {
    given(opened, scheduled('round-5')).when(cmd(type, data)).thenError('ROUND_NOT_FOUND');
  });
});

describe('process decider: working groups, documents, statements', () => {
  it('a working group is formed with a unique id', () => {
    const data = {
      workingGroupId: 'wg',
      name: 'WG',
      mandate: 'zones',
      members: [RUS, TUR],
      agreementIds: ['astana-deescalation-memorandum'],
    };
    given(opened)
      .when(cmd('FormWorkingGroup', data))
      .thenEvents([{ type: 'WorkingGroupFormed', data }]);
    given(opened, formed('wg')).when(cmd('FormWorkingGroup', data)).thenError('WORKING_GROUP_EXISTS');
  });

  it('a working group names each member once', () => {
    given(opened)
      .when(
        cmd('FormWorkingGroup', {
          workingGroupId: 'wg',
          name: 'WG',
          mandate: 'm',
          members: [RUS, RUS],
          agreementIds: [],
        }),
      )
      .thenError('DUPLICATE_ACTOR');
  });

  it('an active working group is dissolved, once', () => {
    given(opened, formed('wg'))
      .when(cmd('DissolveWorkingGroup', { workingGroupId: 'wg', reason: 'done' }))
      .thenEvents([{ type: 'WorkingGroupDissolved', data: { workingGroupId: 'wg', reason: 'done' } }]);
    const dissolved: Fact = { type: 'WorkingGroupDissolved', data: { workingGroupId: 'wg' } };
    expect(given(opened, formed('wg'), dissolved).state.process?.workingGroups[0].status).toBe('dissolved');
    given(opened, formed('wg'), dissolved)
      .when(cmd('DissolveWorkingGroup', { workingGroupId: 'wg' }))
      .thenError('WORKING_GROUP_DISSOLVED');
  });

  it('a working group never formed is not dissolved', () => {
    given(opened)
      .when(cmd('DissolveWorkingGroup', { workingGroupId: 'wg' }))
      .thenError('WORKING_GROUP_NOT_FOUND');
  });

  it('a document is tabled with a unique id', () => {
    const data = { documentId: 'doc-1', title: 'Coordination centre', topic: 'monitoring', tabledBy: RUS };
    given(opened)
      .when(cmd('TableDocument', data))
      .thenEvents([{ type: 'DocumentTabled', data }]);
    given(opened, tabled('doc-1')).when(cmd('TableDocument', data)).thenError('DOCUMENT_EXISTS');
  });

  it('a tabled document is adopted, once, optionally into an agreement', () => {
    const data = { documentId: 'doc-1', agreementId: 'astana-deescalation-memorandum' };
    given(opened, tabled('doc-1'))
      .when(cmd('AdoptDocument', data))
      .thenEvents([{ type: 'DocumentAdopted', data }]);
    const adopted: Fact = { type: 'DocumentAdopted', data };
    expect(given(opened, tabled('doc-1'), adopted).state.process?.documents[0]).toMatchObject({
      status: 'adopted',
      agreementId: 'astana-deescalation-memorandum',
    });
    given(opened, tabled('doc-1'), adopted)
      .when(cmd('AdoptDocument', { documentId: 'doc-1' }))
      .thenError('DOCUMENT_ALREADY_ADOPTED');
  });

  it('a document must be tabled before it is adopted', () => {
    given(opened)
      .when(cmd('AdoptDocument', { documentId: 'doc-9' }))
      .thenError('DOCUMENT_NOT_FOUND');
  });

  it('a statement is issued; its issuers are named once', () => {
    const data = { issuers: [RUS, TUR, IRN], kind: 'joint-statement', summary: 'sovereignty' };
    given(opened)
      .when(cmd('IssueStatement', data))
      .thenEvents([{ type: 'StatementIssued', data }]);
    given(opened)
      .when(cmd('IssueStatement', { ...data, issuers: [RUS, RUS] }))
      .thenError('DUPLICATE_ACTOR');
  });
});

describe('process decider: corrections', () => {
  const retract = (n: number): Fact => ({ type: 'EventRetracted', data: { targetEventId: eventIdOf(n), reason: 'x' } });

  it('a retracted round id can be scheduled again', () => {
    given(opened, scheduled('round-5'), retract(2))
      .when(cmd('ScheduleTalks', { roundId: 'round-5', venue: 'Astana', window: '2017-09' }))
      .thenEvents([{ type: 'TalksScheduled', data: { roundId: 'round-5', venue: 'Astana', window: '2017-09' } }]);
  });

  it('a corrected window is what the next postponement is compared with', () => {
    const corrected: Fact = {
      type: 'EventCorrected',
      data: { targetEventId: eventIdOf(2), data: { window: '2017-08' }, reason: 'x' },
    };
    given(opened, scheduled('round-5', '2017-07-04'), corrected)
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-07-20' }, '2017-07'))
      .thenError('POSTPONEMENT_NOT_LATER');
  });

  it('a round id cannot be corrected, a participant role neither', () => {
    given(opened, scheduled('round-5'))
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(2), data: { roundId: 'round-6' }, reason: 'x' }))
      .thenError('CORRECTION_CHANGES_IDENTITY');
    given(opened, admitted(RUS, 'guarantor'))
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(2), data: { role: 'observer' }, reason: 'x' }))
      .thenError('CORRECTION_CHANGES_IDENTITY');
  });

  it('a corrected window must be a business time', () => {
    given(opened, scheduled('round-5'))
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(2), data: { window: '2017-02-30' }, reason: 'x' }))
      .thenError('CORRECTION_INVALID');
  });

  it('a retracted opening leaves no process; it may be opened again', () => {
    given(opened, retract(1))
      .when(cmd('AdmitParticipant', { actor: RUS, role: 'guarantor' }))
      .thenError('PROCESS_NOT_FOUND', 404);
    given(opened, retract(1))
      .when(cmd('OpenProcess', { name: 'Astana' }))
      .thenEvents([{ type: 'ProcessOpened', data: { name: 'Astana' } }]);
  });

  it('only events of this stream, not retracted, not corrections themselves', () => {
    given(opened)
      .when(cmd('RetractEvent', { targetEventId: eventIdOf(42), reason: 'x' }))
      .thenError('EVENT_NOT_FOUND');
    given(opened, admitted(), retract(2))
      .when(cmd('RetractEvent', { targetEventId: eventIdOf(2), reason: 'x' }))
      .thenError('EVENT_ALREADY_RETRACTED');
    given(opened, admitted(), retract(2))
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(3), occurredAt: '2017', reason: 'x' }))
      .thenError('TARGET_IS_CORRECTION');
  });
});
