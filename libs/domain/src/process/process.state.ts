import type { Envelope, FactEvent } from '../shared/decider';
import type { Actor } from '../shared/identifiers';
import type {
  DocumentStatus,
  ParticipantRole,
  ParticipantStatus,
  ProcessEvent,
  ProcessStatus,
  RoundStatus,
  StatementKind,
  WorkingGroupStatus,
} from './process.schemas';

/** Business times below are kept as written; parse them with parseBusinessTime for earliest/latest. */
export interface Participant {
  id: string;
  name: string;
  role: ParticipantRole;
  status: ParticipantStatus;
  delegationHead?: Actor;
  admittedAt: string;
  withdrawnAt?: string;
}

export interface Postponement {
  from: string;
  to: string;
  reason?: string;
  occurredAt: string;
}

export interface Round {
  roundId: string;
  ordinal: number | null;
  venue: string;
  status: RoundStatus;
  /** The window it is (or was last) scheduled for. */
  scheduledWindow: string;
  firstScheduledWindow: string;
  announcedAt: string;
  postponements: Postponement[];
  /** Business time it convened (ConveneTalks' occurredAt). */
  heldFrom: string | null;
  /** Business time it concluded (ConcludeTalks' occurredAt). */
  heldTo: string | null;
  outcome: string | null;
  delegations: Actor[];
  observers: Actor[];
  cancelledAt: string | null;
  cancellationReason: string | null;
}

export interface WorkingGroup {
  workingGroupId: string;
  name: string;
  mandate: string;
  members: Actor[];
  agreementIds: string[];
  status: WorkingGroupStatus;
  formedAt: string;
  dissolvedAt: string | null;
}

export interface TabledDocument {
  documentId: string;
  title: string;
  topic: string;
  status: DocumentStatus;
  tabledBy?: Actor;
  tabledAt: string;
  adoptedAt: string | null;
  agreementId?: string;
}

export interface Statement {
  /** Statements have no id of their own: the event's id names them. */
  eventId: string;
  issuers: Actor[];
  kind: StatementKind;
  summary: string;
  occurredAt: string;
}

export interface Process {
  name: string;
  conflict: string | null;
  hostCountry: string | null;
  status: ProcessStatus;
  openedAt: string;
  closedAt: string | null;
  closingReason: string | null;
  participants: Participant[];
  rounds: Round[];
  workingGroups: WorkingGroup[];
  documents: TabledDocument[];
  statements: Statement[];
}

/** An event evolve folds: a fact of the process stream (corrections are resolved by loadStream). */
export type ProcessFact = Envelope<FactEvent<ProcessEvent>>;

/** The process stream folded: no history (loadStream keeps the recorded events, for the rules that need them). */
export interface ProcessState {
  /** Revision of the last event taken into account (corrections included); -1 when the stream has none. */
  revision: number;
  streamId?: string;
  /** The process as the effective events describe it; null before it is opened or when its opening was retracted. */
  process: Process | null;
}

export const initialProcessState: ProcessState = { revision: -1, process: null };

function updateRound(process: Process, roundId: string, change: (round: Round) => Round): Process {
  return { ...process, rounds: process.rounds.map((round) => (round.roundId === roundId ? change(round) : round)) };
}

/** One effective event applied to the process; never refuses (events are facts). */
export function applyProcessEvent(process: Process | null, event: ProcessFact): Process | null {
  if (event.type === 'ProcessOpened') {
    const { data } = event;
    return {
      name: data.name,
      conflict: data.conflict ?? null,
      hostCountry: data.hostCountry ?? null,
      status: 'open',
      openedAt: event.occurredAt,
      closedAt: null,
      closingReason: null,
      participants: [],
      rounds: [],
      workingGroups: [],
      documents: [],
      statements: [],
    };
  }
  if (process === null) return null;
  switch (event.type) {
    case 'ParticipantAdmitted': {
      const { data } = event;
      const participant: Participant = {
        id: data.actor.id,
        name: data.actor.name,
        role: data.role,
        status: 'active',
        admittedAt: event.occurredAt,
      };
      if (data.delegationHead) participant.delegationHead = data.delegationHead;
      const index = process.participants.findIndex((p) => p.id === data.actor.id && p.role === data.role);
      // Re-admission in a role it had left replaces that entry: one entry per actor and role.
      const participants =
        index < 0
          ? [...process.participants, participant]
          : process.participants.map((p, i) => (i === index ? participant : p));
      return { ...process, participants };
    }
    case 'ParticipantWithdrew': {
      const { data } = event;
      return {
        ...process,
        participants: process.participants.map((p) =>
          p.id === data.actor.id && p.status === 'active'
            ? { ...p, status: 'withdrawn', withdrawnAt: event.occurredAt }
            : p,
        ),
      };
    }
    case 'TalksScheduled': {
      const { data } = event;
      const round: Round = {
        roundId: data.roundId,
        ordinal: data.ordinal ?? null,
        venue: data.venue,
        status: 'scheduled',
        scheduledWindow: data.window,
        firstScheduledWindow: data.window,
        announcedAt: event.occurredAt,
        postponements: [],
        heldFrom: null,
        heldTo: null,
        outcome: null,
        delegations: [],
        observers: [],
        cancelledAt: null,
        cancellationReason: null,
      };
      return { ...process, rounds: [...process.rounds, round] };
    }
    case 'TalksPostponed': {
      const { data } = event;
      return updateRound(process, data.roundId, (round) => {
        const postponement: Postponement = {
          from: round.scheduledWindow,
          to: data.newWindow,
          occurredAt: event.occurredAt,
        };
        if (data.reason !== undefined) postponement.reason = data.reason;
        return {
          ...round,
          status: 'postponed',
          scheduledWindow: data.newWindow,
          postponements: [...round.postponements, postponement],
        };
      });
    }
    case 'TalksConvened': {
      const { data } = event;
      return updateRound(process, data.roundId, (round) => ({
        ...round,
        status: 'convened',
        heldFrom: event.occurredAt,
        delegations: data.delegations,
        observers: data.observers,
      }));
    }
    case 'TalksConcluded': {
      const { data } = event;
      return updateRound(process, data.roundId, (round) => ({
        ...round,
        status: 'concluded',
        heldTo: event.occurredAt,
        outcome: data.outcome,
      }));
    }
    case 'TalksCancelled': {
      const { data } = event;
      return updateRound(process, data.roundId, (round) => ({
        ...round,
        status: 'cancelled',
        cancelledAt: event.occurredAt,
        cancellationReason: data.reason ?? null,
      }));
    }
    case 'WorkingGroupFormed': {
      const { data } = event;
      const group: WorkingGroup = {
        workingGroupId: data.workingGroupId,
        name: data.name,
        mandate: data.mandate,
        members: data.members,
        agreementIds: data.agreementIds,
        status: 'active',
        formedAt: event.occurredAt,
        dissolvedAt: null,
      };
      return { ...process, workingGroups: [...process.workingGroups, group] };
    }
    case 'WorkingGroupDissolved': {
      const { data } = event;
      return {
        ...process,
        workingGroups: process.workingGroups.map((g) =>
          g.workingGroupId === data.workingGroupId ? { ...g, status: 'dissolved', dissolvedAt: event.occurredAt } : g,
        ),
      };
    }
    case 'DocumentTabled': {
      const { data } = event;
      const document: TabledDocument = {
        documentId: data.documentId,
        title: data.title,
        topic: data.topic,
        status: 'tabled',
        tabledAt: event.occurredAt,
        adoptedAt: null,
      };
      if (data.tabledBy) document.tabledBy = data.tabledBy;
      return { ...process, documents: [...process.documents, document] };
    }
    case 'DocumentAdopted': {
      const { data } = event;
      return {
        ...process,
        documents: process.documents.map((d) => {
          if (d.documentId !== data.documentId) return d;
          const adopted: TabledDocument = { ...d, status: 'adopted', adoptedAt: event.occurredAt };
          if (data.agreementId !== undefined) adopted.agreementId = data.agreementId;
          return adopted;
        }),
      };
    }
    case 'StatementIssued': {
      const { data } = event;
      const statement: Statement = {
        eventId: event.eventId,
        issuers: data.issuers,
        kind: data.kind,
        summary: data.summary,
        occurredAt: event.occurredAt,
      };
      return { ...process, statements: [...process.statements, statement] };
    }
    case 'ProcessClosed': {
      const { data } = event;
      return { ...process, status: 'closed', closedAt: event.occurredAt, closingReason: data.reason ?? null };
    }
    default: {
      const _exhaustive: never = event;
      // An event type this version does not know (written by a newer one): leave the state as it is.
      return process;
    }
  }
}

export function evolveProcess(state: ProcessState, event: ProcessFact): ProcessState {
  const process = applyProcessEvent(state.process, event);
  const streamId = event.streamId ?? state.streamId;
  return streamId === undefined ? { revision: event.revision, process } : { revision: event.revision, streamId, process };
}
