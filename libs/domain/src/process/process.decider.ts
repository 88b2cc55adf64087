import { isEntirelyBefore } from '../shared/business-time';
import { decideCorrection } from '../shared/correction-rules';
import type { LoadedStream } from '../shared/decider';
import { type LoadingDecider, withLoader } from '../shared/load-stream';
import { DomainError, validationFailed } from '../shared/domain-error';
import { readBusinessTime, readStoredTime, refuseDuplicateActors } from '../shared/rule-helpers';
import {
  type ProcessCommand,
  type ProcessEvent,
  processEventDataSchemas,
  processIdentityFields,
} from './process.schemas';
import { evolveProcess, initialProcessState, type Process, type ProcessState, type Round } from './process.state';

function refuse(code: string, message: string, details?: Record<string, unknown>): never {
  throw new DomainError(code, message, details);
}

function roundOf(process: Process, roundId: string): Round {
  const round = process.rounds.find((r) => r.roundId === roundId);
  if (!round)
    refuse(
      'ROUND_NOT_FOUND',
      `Round ${roundId} was never scheduled in this process: schedule it first (ScheduleTalks)`,
      { roundId },
    );
  return round;
}

function refuseEndedRound(round: Round, action: string): void {
  if (round.status === 'cancelled')
    refuse('ROUND_CANCELLED', `Round ${round.roundId} was cancelled: it cannot be ${action}`, {
      roundId: round.roundId,
    });
  if (round.status === 'concluded') {
    refuse('ROUND_ALREADY_CONCLUDED', `Round ${round.roundId} already concluded: it cannot be ${action}`, {
      roundId: round.roundId,
    });
  }
}

function decideProcess(command: ProcessCommand, stream: LoadedStream<ProcessState>): ProcessEvent[] {
  const { state } = stream;
  const occurredAt = readBusinessTime(command.occurredAt, 'occurredAt');

  if (command.type === 'OpenProcess') {
    if (state.process) refuse('PROCESS_EXISTS', 'The process was already opened: a process is opened once');
    return [{ type: 'ProcessOpened', data: command.data }];
  }
  if (stream.recorded.length === 0) {
    throw new DomainError('PROCESS_NOT_FOUND', 'There is no such process: open it first (OpenProcess)', undefined, 404);
  }
  if (command.type === 'RecordCorrection' || command.type === 'RetractEvent') {
    // Allowed after closing too: the record of what happened can always be put right.
    return decideCorrection(command, stream, {
      eventDataSchemas: processEventDataSchemas,
      identityFields: processIdentityFields,
    });
  }
  const process = state.process;
  if (!process)
    throw new DomainError(
      'PROCESS_NOT_FOUND',
      'The opening of this process was retracted: open it again first',
      undefined,
      404,
    );
  if (process.status === 'closed') {
    refuse('PROCESS_CLOSED', 'The process is closed: only corrections and retractions are accepted', {
      closedAt: process.closedAt,
    });
  }

  switch (command.type) {
    case 'AdmitParticipant': {
      const { actor, role } = command.data;
      if (process.participants.some((p) => p.id === actor.id && p.role === role && p.status === 'active')) {
        refuse('PARTICIPANT_ALREADY_ADMITTED', `${actor.id} already takes part as ${role}`, {
          actorId: actor.id,
          role,
        });
      }
      return [{ type: 'ParticipantAdmitted', data: command.data }];
    }
    case 'RecordParticipantWithdrawal': {
      const { actor } = command.data;
      const entries = process.participants.filter((p) => p.id === actor.id);
      if (entries.length === 0)
        refuse('PARTICIPANT_NOT_FOUND', `${actor.id} is not a participant of the process`, { actorId: actor.id });
      if (entries.every((p) => p.status === 'withdrawn')) {
        refuse('PARTICIPANT_ALREADY_WITHDRAWN', `${actor.id} already withdrew from the process`, { actorId: actor.id });
      }
      return [{ type: 'ParticipantWithdrew', data: command.data }];
    }
    case 'ScheduleTalks': {
      const { roundId, ordinal } = command.data;
      const window = readBusinessTime(command.data.window, 'data.window');
      if (process.rounds.some((r) => r.roundId === roundId)) {
        refuse(
          'ROUND_EXISTS',
          `Round ${roundId} was already scheduled: round ids are unique (postpone it to move it)`,
          { roundId },
        );
      }
      const sameOrdinal =
        ordinal === undefined
          ? undefined
          : process.rounds.find((r) => r.ordinal === ordinal && r.status !== 'cancelled');
      if (sameOrdinal) {
        refuse(
          'ROUND_ORDINAL_TAKEN',
          `Round ${sameOrdinal.roundId} already has ordinal ${ordinal}: cancel it or choose another ordinal`,
          {
            ordinal,
            roundId: sameOrdinal.roundId,
          },
        );
      }
      if (isEntirelyBefore(window, occurredAt)) {
        refuse(
          'WINDOW_BEFORE_ANNOUNCEMENT',
          `The window ${window.value} is over before the announcement (${occurredAt.value}): a round is scheduled ahead`,
          {
            window: window.value,
          },
        );
      }
      return [{ type: 'TalksScheduled', data: command.data }];
    }
    case 'PostponeTalks': {
      const newWindow = readBusinessTime(command.data.newWindow, 'data.newWindow');
      const round = roundOf(process, command.data.roundId);
      refuseEndedRound(round, 'postponed');
      if (round.status === 'convened') {
        refuse('ROUND_ALREADY_CONVENED', `Round ${round.roundId} already convened: it cannot be postponed`, {
          roundId: round.roundId,
        });
      }
      const current = readStoredTime(round.scheduledWindow);
      if (current && Date.parse(newWindow.earliest) <= Date.parse(current.earliest)) {
        refuse(
          'POSTPONEMENT_NOT_LATER',
          `The new window ${newWindow.value} does not start after the current one (${current.value}): a postponement moves a round later`,
          {
            roundId: round.roundId,
            scheduledWindow: current.value,
          },
        );
      }
      if (isEntirelyBefore(newWindow, occurredAt)) {
        refuse(
          'WINDOW_BEFORE_ANNOUNCEMENT',
          `The new window ${newWindow.value} is over before the postponement (${occurredAt.value})`,
          {
            window: newWindow.value,
          },
        );
      }
      return [{ type: 'TalksPostponed', data: command.data }];
    }
    case 'ConveneTalks': {
      const round = roundOf(process, command.data.roundId);
      refuseEndedRound(round, 'convened');
      if (round.status === 'convened') {
        refuse('ROUND_ALREADY_CONVENED', `Round ${round.roundId} already convened`, { roundId: round.roundId });
      }
      refuseDuplicateActors(command.data.delegations, command.data.observers);
      return [{ type: 'TalksConvened', data: command.data }];
    }
    case 'ConcludeTalks': {
      const round = roundOf(process, command.data.roundId);
      refuseEndedRound(round, 'concluded');
      if (round.status !== 'convened') {
        refuse(
          'ROUND_NOT_CONVENED',
          `Round ${round.roundId} is ${round.status}: a round cannot be concluded before it convened`,
          {
            roundId: round.roundId,
            roundStatus: round.status,
          },
        );
      }
      const heldFrom = readStoredTime(round.heldFrom);
      if (heldFrom && isEntirelyBefore(occurredAt, heldFrom)) {
        refuse(
          'CONCLUDED_BEFORE_CONVENED',
          `Round ${round.roundId} convened ${heldFrom.value}: it cannot conclude before (${occurredAt.value})`,
          {
            roundId: round.roundId,
            heldFrom: heldFrom.value,
          },
        );
      }
      return [{ type: 'TalksConcluded', data: command.data }];
    }
    case 'CancelTalks': {
      refuseEndedRound(roundOf(process, command.data.roundId), 'cancelled');
      return [{ type: 'TalksCancelled', data: command.data }];
    }
    case 'FormWorkingGroup': {
      const { workingGroupId } = command.data;
      if (process.workingGroups.some((g) => g.workingGroupId === workingGroupId)) {
        refuse('WORKING_GROUP_EXISTS', `Working group ${workingGroupId} already exists: working group ids are unique`, {
          workingGroupId,
        });
      }
      refuseDuplicateActors(command.data.members);
      return [{ type: 'WorkingGroupFormed', data: command.data }];
    }
    case 'DissolveWorkingGroup': {
      const { workingGroupId } = command.data;
      const group = process.workingGroups.find((g) => g.workingGroupId === workingGroupId);
      if (!group)
        refuse('WORKING_GROUP_NOT_FOUND', `Working group ${workingGroupId} was never formed in this process`, {
          workingGroupId,
        });
      if (group.status === 'dissolved')
        refuse('WORKING_GROUP_DISSOLVED', `Working group ${workingGroupId} is already dissolved`, { workingGroupId });
      return [{ type: 'WorkingGroupDissolved', data: command.data }];
    }
    case 'TableDocument': {
      const { documentId } = command.data;
      if (process.documents.some((d) => d.documentId === documentId)) {
        refuse('DOCUMENT_EXISTS', `Document ${documentId} was already tabled: document ids are unique`, { documentId });
      }
      return [{ type: 'DocumentTabled', data: command.data }];
    }
    case 'AdoptDocument': {
      const { documentId } = command.data;
      const document = process.documents.find((d) => d.documentId === documentId);
      if (!document)
        refuse(
          'DOCUMENT_NOT_FOUND',
          `Document ${documentId} was never tabled: a document is tabled before it is adopted`,
          { documentId },
        );
      if (document.status === 'adopted')
        refuse('DOCUMENT_ALREADY_ADOPTED', `Document ${documentId} was already adopted`, { documentId });
      return [{ type: 'DocumentAdopted', data: command.data }];
    }
    case 'IssueStatement':
      refuseDuplicateActors(command.data.issuers);
      return [{ type: 'StatementIssued', data: command.data }];
    case 'CloseProcess':
      return [{ type: 'ProcessClosed', data: command.data }];
    default: {
      const unknown: never = command;
      throw validationFailed([
        { field: 'type', message: `${(unknown as { type: string }).type} is not a process command` },
      ]);
    }
  }
}

export const processDecider: LoadingDecider<ProcessCommand, ProcessEvent, ProcessState> = withLoader({
  streamKind: 'process',
  initialState: initialProcessState,
  decide: decideProcess,
  evolve: evolveProcess,
});
