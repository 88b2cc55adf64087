import type { FactEvent } from '../shared/decider';
import { DomainError } from '../shared/domain-error';
import { isEntirelyBefore } from '../shared/business-time';
import { readStoredTime } from '../shared/rule-helpers';
import type { ProcessEvent } from './process.schemas';
import type { Process, Round } from './process.state';

/**
 * "May this fact happen in this state?": the one set of process rules. decide checks the
 * command's events against the process as it stood at the command's business time, and the
 * later-fact check re-checks every later fact with the same rules, so no rule is written twice.
 * Each rule throws a DomainError (422) naming itself.
 */
export type CheckedProcessFact = FactEvent<ProcessEvent> & { occurredAt: string; eventId?: string };

function refuse(code: string, message: string, details?: Record<string, unknown>): never {
  throw new DomainError(code, message, details);
}

function roundOf(process: Process, roundId: string): Round {
  const round = process.rounds.find((r) => r.roundId === roundId);
  if (!round) {
    refuse('ROUND_NOT_FOUND', `Round ${roundId} was never scheduled in this process: schedule it first (ScheduleTalks)`, {
      roundId,
    });
  }
  return round;
}

function refuseEndedRound(round: Round, action: string): void {
  if (round.status === 'cancelled') {
    refuse('ROUND_CANCELLED', `Round ${round.roundId} was cancelled: it cannot be ${action}`, { roundId: round.roundId });
  }
  if (round.status === 'concluded') {
    refuse('ROUND_ALREADY_CONCLUDED', `Round ${round.roundId} already concluded: it cannot be ${action}`, {
      roundId: round.roundId,
    });
  }
}

/** A window is announced ahead: one over before the fact announcing it is refused. */
function refuseWindowBefore(windowText: string, fact: CheckedProcessFact, what: string): void {
  const window = readStoredTime(windowText);
  const announced = readStoredTime(fact.occurredAt);
  if (window && announced && isEntirelyBefore(window, announced)) {
    refuse('WINDOW_BEFORE_ANNOUNCEMENT', `The window ${window.value} is over before ${what} (${announced.value}): a round is scheduled ahead`, {
      window: window.value,
    });
  }
}

/** Throws the DomainError of the first rule the fact breaks in this state (null: no process opened by then). */
export function checkProcessFact(process: Process | null, fact: CheckedProcessFact): void {
  if (fact.type === 'ProcessOpened') {
    if (process) refuse('PROCESS_EXISTS', 'The process was already opened: a process is opened once');
    return;
  }
  if (!process) {
    refuse('NOT_YET_OPENED', `The process had not been opened by ${fact.occurredAt}: its facts are dated from its opening on`, {
      occurredAt: fact.occurredAt,
    });
  }
  if (process.status === 'closed') {
    refuse('PROCESS_CLOSED', 'The process is closed: only corrections and retractions are accepted', {
      closedAt: process.closedAt,
    });
  }
  checkFactRules(process, fact);
}

function checkFactRules(process: Process, fact: CheckedProcessFact): void {
  switch (fact.type) {
    case 'ProcessOpened':
      return;
    case 'ParticipantAdmitted': {
      const { actor, role } = fact.data;
      if (process.participants.some((p) => p.id === actor.id && p.role === role && p.status === 'active')) {
        refuse('PARTICIPANT_ALREADY_ADMITTED', `${actor.id} already takes part as ${role}`, { actorId: actor.id, role });
      }
      return;
    }
    case 'ParticipantWithdrew': {
      const { actor } = fact.data;
      const entries = process.participants.filter((p) => p.id === actor.id);
      if (entries.length === 0) refuse('PARTICIPANT_NOT_FOUND', `${actor.id} is not a participant of the process`, { actorId: actor.id });
      if (entries.every((p) => p.status === 'withdrawn')) {
        refuse('PARTICIPANT_ALREADY_WITHDRAWN', `${actor.id} already withdrew from the process`, { actorId: actor.id });
      }
      return;
    }
    case 'TalksScheduled': {
      const { roundId, ordinal } = fact.data;
      if (process.rounds.some((r) => r.roundId === roundId)) {
        refuse('ROUND_EXISTS', `Round ${roundId} was already scheduled: round ids are unique (postpone it to move it)`, { roundId });
      }
      const sameOrdinal = ordinal === undefined ? undefined : process.rounds.find((r) => r.ordinal === ordinal && r.status !== 'cancelled');
      if (sameOrdinal) {
        refuse('ROUND_ORDINAL_TAKEN', `Round ${sameOrdinal.roundId} already has ordinal ${ordinal}: cancel it or choose another ordinal`, {
          ordinal,
          roundId: sameOrdinal.roundId,
        });
      }
      refuseWindowBefore(fact.data.window, fact, 'the announcement');
      return;
    }
    case 'TalksPostponed': {
      const round = roundOf(process, fact.data.roundId);
      refuseEndedRound(round, 'postponed');
      if (round.status === 'convened') {
        refuse('ROUND_ALREADY_CONVENED', `Round ${round.roundId} already convened: it cannot be postponed`, { roundId: round.roundId });
      }
      const current = readStoredTime(round.scheduledWindow);
      const newWindow = readStoredTime(fact.data.newWindow);
      if (current && newWindow && Date.parse(newWindow.earliest) <= Date.parse(current.earliest)) {
        refuse(
          'POSTPONEMENT_NOT_LATER',
          `The new window ${newWindow.value} does not start after the current one (${current.value}): a postponement moves a round later`,
          { roundId: round.roundId, scheduledWindow: current.value },
        );
      }
      refuseWindowBefore(fact.data.newWindow, fact, 'the postponement');
      return;
    }
    case 'TalksConvened': {
      const round = roundOf(process, fact.data.roundId);
      refuseEndedRound(round, 'convened');
      if (round.status === 'convened') refuse('ROUND_ALREADY_CONVENED', `Round ${round.roundId} already convened`, { roundId: round.roundId });
      return;
    }
    case 'TalksConcluded': {
      const round = roundOf(process, fact.data.roundId);
      refuseEndedRound(round, 'concluded');
      if (round.status !== 'convened') {
        refuse('ROUND_NOT_CONVENED', `Round ${round.roundId} is ${round.status}: a round cannot be concluded before it convened`, {
          roundId: round.roundId,
          roundStatus: round.status,
        });
      }
      const heldFrom = readStoredTime(round.heldFrom);
      const concludedAt = readStoredTime(fact.occurredAt);
      if (heldFrom && concludedAt && isEntirelyBefore(concludedAt, heldFrom)) {
        refuse('CONCLUDED_BEFORE_CONVENED', `Round ${round.roundId} convened ${heldFrom.value}: it cannot conclude before (${concludedAt.value})`, {
          roundId: round.roundId,
          heldFrom: heldFrom.value,
        });
      }
      return;
    }
    case 'TalksCancelled':
      refuseEndedRound(roundOf(process, fact.data.roundId), 'cancelled');
      return;
    case 'WorkingGroupFormed': {
      const { workingGroupId } = fact.data;
      if (process.workingGroups.some((g) => g.workingGroupId === workingGroupId)) {
        refuse('WORKING_GROUP_EXISTS', `Working group ${workingGroupId} already exists: working group ids are unique`, { workingGroupId });
      }
      return;
    }
    case 'WorkingGroupDissolved': {
      const { workingGroupId } = fact.data;
      const group = process.workingGroups.find((g) => g.workingGroupId === workingGroupId);
      if (!group) refuse('WORKING_GROUP_NOT_FOUND', `Working group ${workingGroupId} was never formed in this process`, { workingGroupId });
      if (group.status === 'dissolved') refuse('WORKING_GROUP_DISSOLVED', `Working group ${workingGroupId} is already dissolved`, { workingGroupId });
      return;
    }
    case 'DocumentTabled': {
      const { documentId } = fact.data;
      if (process.documents.some((d) => d.documentId === documentId)) {
        refuse('DOCUMENT_EXISTS', `Document ${documentId} was already tabled: document ids are unique`, { documentId });
      }
      return;
    }
    case 'DocumentAdopted': {
      const { documentId } = fact.data;
      const document = process.documents.find((d) => d.documentId === documentId);
      if (!document) refuse('DOCUMENT_NOT_FOUND', `Document ${documentId} was never tabled: a document is tabled before it is adopted`, { documentId });
      if (document.status === 'adopted') refuse('DOCUMENT_ALREADY_ADOPTED', `Document ${documentId} was already adopted`, { documentId });
      return;
    }
    case 'StatementIssued':
    case 'ProcessClosed':
      return;
    default: {
      const unknown: never = fact;
      refuse('UNKNOWN_EVENT', `${(unknown as { type: string }).type} is not a process fact`);
    }
  }
}
