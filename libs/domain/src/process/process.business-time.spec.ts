import { deciderSpec, eventIdOf, type Fact } from '../testing/given-when-then';
import { processDecider } from './process.decider';
import type { ProcessCommand } from './process.schemas';

const RUS = { id: 'RUS', name: 'Russia' };
const UN = { id: 'igo:un', name: 'United Nations' };
const GOV = { id: 'gov:syrian-government', name: 'Syrian government delegation' };

const { given } = deciderSpec(processDecider, 'process-late-facts');
const cmd = (type: ProcessCommand['type'], data: Record<string, unknown>, occurredAt: string) =>
  ({ type, data, occurredAt }) as ProcessCommand;

// Event n of a given(...) history has id eventIdOf(n).
const opened: Fact = { type: 'ProcessOpened', data: { name: 'Astana talks on Syria' }, occurredAt: '2016-12-29' };
const scheduled = (roundId: string, window: string, occurredAt: string, ordinal?: number): Fact => ({
  type: 'TalksScheduled',
  data: { roundId, venue: 'Astana', window, ...(ordinal === undefined ? {} : { ordinal }) },
  occurredAt,
});
const convened = (roundId: string, occurredAt: string): Fact => ({
  type: 'TalksConvened',
  data: { roundId, delegations: [GOV], observers: [UN] },
  occurredAt,
});
const concluded = (roundId: string, occurredAt: string): Fact => ({
  type: 'TalksConcluded',
  data: { roundId, outcome: 'ceasefire monitoring' },
  occurredAt,
});
const statement = (occurredAt: string): Fact => ({
  type: 'StatementIssued',
  data: { issuers: [RUS], kind: 'joint-statement', summary: 'the parties met' },
  occurredAt,
});

describe('process decider: facts recorded out of order are judged at their business time', () => {
  it('given round 2 scheduled and convened, round 1 scheduled before it is recorded late and comes first', () => {
    const history = [opened, scheduled('round-2', '2017-02-15/2017-02-16', '2017-02-01', 2), convened('round-2', '2017-02-15')];
    const data = { roundId: 'round-1', ordinal: 1, venue: 'Astana', window: '2017-01-23/2017-01-24' };
    given(...history)
      .when(cmd('ScheduleTalks', data, '2017-01-10'))
      .thenEvents([{ type: 'TalksScheduled', data }]);
    const { state } = given(...history, { type: 'TalksScheduled', data, occurredAt: '2017-01-10' });
    expect(state.process?.rounds.map((round) => [round.roundId, round.status])).toEqual([
      ['round-1', 'scheduled'],
      ['round-2', 'convened'],
    ]);
  });

  it('given a round held, a postponement dated before it convened is recorded late; the round reads concluded with the slippage', () => {
    const history = [
      opened,
      scheduled('round-5', '2017-07-04/2017-07-05', '2017-06'),
      convened('round-5', '2017-07-10'),
      concluded('round-5', '2017-07-11'),
    ];
    given(...history)
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-07-10/2017-07-11' }, '2017-07-01'))
      .thenEvents([{ type: 'TalksPostponed', data: { roundId: 'round-5', newWindow: '2017-07-10/2017-07-11' } }]);
    const late: Fact = { type: 'TalksPostponed', data: { roundId: 'round-5', newWindow: '2017-07-10/2017-07-11' }, occurredAt: '2017-07-01' };
    expect(given(...history, late).state.process?.rounds[0]).toMatchObject({
      status: 'concluded',
      firstScheduledWindow: '2017-07-04/2017-07-05',
      scheduledWindow: '2017-07-10/2017-07-11',
      heldFrom: '2017-07-10',
      heldTo: '2017-07-11',
    });
  });

  it('given a round held, a postponement dated after it convened is refused ROUND_ALREADY_CONVENED', () => {
    given(opened, scheduled('round-5', '2017-07-04/2017-07-05', '2017-06'), convened('round-5', '2017-07-04'), concluded('round-5', '2017-07-05'))
      .when(cmd('PostponeTalks', { roundId: 'round-5', newWindow: '2017-08' }, '2017-07-04T12:00:00Z'))
      .thenError('ROUND_ALREADY_CONVENED');
  });

  it('given a convening recorded, a conclusion is refused only if dated before it (CONCLUDED_BEFORE_CONVENED), accepted after', () => {
    const history = [opened, scheduled('round-5', '2017-07-04/2017-07-05', '2017-06'), convened('round-5', '2017-07-04')];
    const error = given(...history)
      .when(cmd('ConcludeTalks', { roundId: 'round-5', outcome: 'x' }, '2017-07-03'))
      .thenError('CONCLUDED_BEFORE_CONVENED');
    expect(error.details).toEqual({ roundId: 'round-5', heldFrom: '2017-07-04' });
    given(...history)
      .when(cmd('ConcludeTalks', { roundId: 'round-5', outcome: 'x' }, '2017-07-05'))
      .thenEvents([{ type: 'TalksConcluded', data: { roundId: 'round-5', outcome: 'x' } }]);
  });

  it('given a convening on 2017-07-04, a conclusion dated 2017-07 (a period that starts before it) is refused CONCLUDED_BEFORE_CONVENED', () => {
    // Deliberate change from v1 (which compared the periods as a whole): a fact takes effect at the earliest instant of its date.
    given(opened, scheduled('round-5', '2017-07-04/2017-07-05', '2017-06'), convened('round-5', '2017-07-04'))
      .when(cmd('ConcludeTalks', { roundId: 'round-5', outcome: 'x' }, '2017-07'))
      .thenError('CONCLUDED_BEFORE_CONVENED');
  });

  it('given a closing recorded, a statement dated before it is accepted and one dated after is refused PROCESS_CLOSED', () => {
    const closed: Fact = { type: 'ProcessClosed', data: {}, occurredAt: '2020' };
    const data = { issuers: [RUS], kind: 'joint-statement', summary: 'late record' };
    given(opened, closed).when(cmd('IssueStatement', data, '2018-05')).thenEvents([{ type: 'StatementIssued', data }]);
    given(opened, closed).when(cmd('IssueStatement', data, '2021')).thenError('PROCESS_CLOSED');
  });

  it('given an opening dated 2016-12-29, a fact dated before it is refused NOT_YET_OPENED', () => {
    given(opened)
      .when(cmd('AdmitParticipant', { actor: RUS, role: 'guarantor' }, '2016-06'))
      .thenError('NOT_YET_OPENED');
  });
});

describe('process decider: a fact that makes a later fact impossible', () => {
  it('given a round convened, its cancellation dated before the convening is refused LATER_FACT_CONFLICT naming the convening', () => {
    const error = given(opened, scheduled('round-5', '2017-07-04/2017-07-05', '2017-06'), convened('round-5', '2017-07-04'))
      .when(cmd('CancelTalks', { roundId: 'round-5' }, '2017-07-01'))
      .thenError('LATER_FACT_CONFLICT');
    expect(error.details).toMatchObject({ laterEventId: eventIdOf(3), laterEventType: 'TalksConvened', rule: 'ROUND_CANCELLED' });
  });

  it('given a statement dated 2019, closing the process in 2018 is refused LATER_FACT_CONFLICT; closing it in 2020 is accepted', () => {
    given(opened, statement('2019'))
      .when(cmd('CloseProcess', {}, '2018'))
      .thenError('LATER_FACT_CONFLICT');
    given(opened, statement('2019'))
      .when(cmd('CloseProcess', {}, '2020'))
      .thenEvents([{ type: 'ProcessClosed', data: {} }]);
  });

  it('given a round concluded, correcting its convening to after the conclusion is refused LATER_FACT_CONFLICT naming the conclusion', () => {
    const error = given(opened, scheduled('round-5', '2017-07-04/2017-07-05', '2017-06'), convened('round-5', '2017-07-04'), concluded('round-5', '2017-07-05'))
      .when(cmd('RecordCorrection', { targetEventId: eventIdOf(3), occurredAt: '2017-07-06', reason: 'wrong day' }, '2017-08'))
      .thenError('LATER_FACT_CONFLICT');
    expect(error.details).toMatchObject({ laterEventId: eventIdOf(4), rule: 'ROUND_NOT_CONVENED' });
  });
});
