import { judgeCorrection, judgeInBusinessTime } from '../shared/business-time-decision';
import { decideCorrection } from '../shared/correction-rules';
import type { EventEnvelope, LoadedStream } from '../shared/decider';
import { type LoadingDecider, withLoader } from '../shared/load-stream';
import { DomainError, validationFailed } from '../shared/domain-error';
import { readBusinessTime, refuseDuplicateActors } from '../shared/rule-helpers';
import { processCausalRank } from './process.causal-rank';
import { type CheckedProcessFact, checkProcessFact } from './process.rules';
import { explainedTooEarly } from './process.too-early';
import {
  type ProcessCommand,
  type ProcessEvent,
  processEventDataSchemas,
  processIdentityFields,
} from './process.schemas';
import { evolveProcess, initialProcessState, type ProcessState } from './process.state';

function refuse(code: string, message: string, details?: Record<string, unknown>): never {
  throw new DomainError(code, message, details);
}

/** The one rule check, on a state: what decide and the later-fact check share. */
function checkFact(state: ProcessState, fact: EventEnvelope): void {
  checkProcessFact(state.process, fact as unknown as CheckedProcessFact);
}

/** Input the rules rely on, checked once per command (the API's schemas say the same, so it answers 400 first). */
function refuseInvalidInput(command: ProcessCommand): void {
  switch (command.type) {
    case 'ScheduleTalks':
      readBusinessTime(command.data.window, 'data.window');
      return;
    case 'PostponeTalks':
      readBusinessTime(command.data.newWindow, 'data.newWindow');
      return;
    case 'ConveneTalks':
      return refuseDuplicateActors(command.data.delegations, command.data.observers);
    case 'FormWorkingGroup':
      return refuseDuplicateActors(command.data.members);
    case 'IssueStatement':
      return refuseDuplicateActors(command.data.issuers);
    default:
      return;
  }
}

type FactCommand = Exclude<ProcessCommand, { type: 'OpenProcess' | 'RecordCorrection' | 'RetractEvent' }>;

/** The fact a command states. */
function factOf(command: FactCommand): ProcessEvent {
  switch (command.type) {
    case 'AdmitParticipant':
      return { type: 'ParticipantAdmitted', data: command.data };
    case 'RecordParticipantWithdrawal':
      return { type: 'ParticipantWithdrew', data: command.data };
    case 'ScheduleTalks':
      return { type: 'TalksScheduled', data: command.data };
    case 'PostponeTalks':
      return { type: 'TalksPostponed', data: command.data };
    case 'ConveneTalks':
      return { type: 'TalksConvened', data: command.data };
    case 'ConcludeTalks':
      return { type: 'TalksConcluded', data: command.data };
    case 'CancelTalks':
      return { type: 'TalksCancelled', data: command.data };
    case 'FormWorkingGroup':
      return { type: 'WorkingGroupFormed', data: command.data };
    case 'DissolveWorkingGroup':
      return { type: 'WorkingGroupDissolved', data: command.data };
    case 'TableDocument':
      return { type: 'DocumentTabled', data: command.data };
    case 'AdoptDocument':
      return { type: 'DocumentAdopted', data: command.data };
    case 'IssueStatement':
      return { type: 'StatementIssued', data: command.data };
    case 'CloseProcess':
      return { type: 'ProcessClosed', data: command.data };
    default: {
      const unknown: never = command;
      throw validationFailed([{ field: 'type', message: `${(unknown as { type: string }).type} is not a process command` }]);
    }
  }
}

/**
 * A command is judged in business time: against the process as it stood at the command's
 * occurredAt, and refused when it would make a later recorded fact impossible (see
 * judgeInBusinessTime). Corrections and retractions are re-checked the same way.
 */
function decideProcess(command: ProcessCommand, stream: LoadedStream<ProcessState>): ProcessEvent[] {
  const { state } = stream;
  readBusinessTime(command.occurredAt, 'occurredAt');

  if (command.type === 'OpenProcess') {
    if (state.process) refuse('PROCESS_EXISTS', 'The process was already opened: a process is opened once');
    return [{ type: 'ProcessOpened', data: command.data }];
  }
  if (stream.recorded.length === 0) {
    throw new DomainError('PROCESS_NOT_FOUND', 'There is no such process: open it first (OpenProcess)', undefined, 404);
  }
  if (command.type === 'RecordCorrection' || command.type === 'RetractEvent') {
    // Allowed after closing too: the record of what happened can always be put right.
    const events = decideCorrection(command, stream, {
      eventDataSchemas: processEventDataSchemas,
      identityFields: processIdentityFields,
    });
    if (!retractsTheOpening(command, stream)) judgeCorrection(processDecider, stream, events[0], checkFact);
    return events;
  }
  const process = state.process;
  if (!process) {
    throw new DomainError('PROCESS_NOT_FOUND', 'The opening of this process was retracted: open it again first', undefined, 404);
  }
  refuseInvalidInput(command);
  const events = [factOf(command)];
  try {
    judgeInBusinessTime(processDecider, stream, events, command.occurredAt, checkFact);
  } catch (error) {
    throw explainedTooEarly(error, command, process);
  }
  return events;
}

/** Retracting the opening withdraws the whole record: its other facts are no longer shown, so none of them is re-checked. */
function retractsTheOpening(command: ProcessCommand, stream: LoadedStream<ProcessState>): boolean {
  if (command.type !== 'RetractEvent') return false;
  const targetId = command.data.targetEventId.toLowerCase();
  return stream.recorded.some((event) => event.eventId.toLowerCase() === targetId && event.type === 'ProcessOpened');
}

export const processDecider: LoadingDecider<ProcessCommand, ProcessEvent, ProcessState> = withLoader({
  streamKind: 'process',
  initialState: initialProcessState,
  decide: decideProcess,
  evolve: evolveProcess,
  causalRank: processCausalRank,
});
