import { applyCorrections, isCorrectionEvent } from '../shared/corrections';
import type { EventEnvelope } from '../shared/decider';
import type { Actor } from '../shared/identifiers';
import type {
  DocumentStatus,
  ParticipantRole,
  ParticipantStatus,
  ProcessCommandData,
  ProcessEventType,
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

export interface ProcessState {
  /** Revision of the last event seen; -1 when the stream has none. */
  revision: number;
  streamId?: string;
  /** Every event seen, as recorded (corrections included): a correction re-derives `process` from it. */
  history: EventEnvelope[];
  /** The process as the effective events describe it; null before it is opened or when its opening was retracted. */
  process: Process | null;
}

export const initialProcessState: ProcessState = { revision: -1, history: [], process: null };

function updateRound(process: Process, roundId: string, change: (round: Round) => Round): Process {
  return { ...process, rounds: process.rounds.map((round) => (round.roundId === roundId ? change(round) : round)) };
}

/** One effective event applied to the process; never refuses (events are facts). */
export function applyProcessEvent(process: Process | null, event: EventEnvelope): Process | null {
  const type = event.type as ProcessEventType;
  if (type === 'ProcessOpened') {
    const data = event.data as ProcessCommandData['OpenProcess'];
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
  switch (type) {
    case 'ParticipantAdmitted': {
      const data = event.data as ProcessCommandData['AdmitParticipant'];
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
      const data = event.data as ProcessCommandData['RecordParticipantWithdrawal'];
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
      const data = event.data as ProcessCommandData['ScheduleTalks'];
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
      const data = event.data as ProcessCommandData['PostponeTalks'];
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
      const data = event.data as ProcessCommandData['ConveneTalks'];
      return updateRound(process, data.roundId, (round) => ({
        ...round,
        status: 'convened',
        heldFrom: event.occurredAt,
        delegations: data.delegations,
        observers: data.observers,
      }));
    }
    case 'TalksConcluded': {
      const data = event.data as ProcessCommandData['ConcludeTalks'];
      return updateRound(process, data.roundId, (round) => ({
        ...round,
        status: 'concluded',
        heldTo: event.occurredAt,
        outcome: data.outcome,
      }));
    }
    case 'TalksCancelled': {
      const data = event.data as ProcessCommandData['CancelTalks'];
      return updateRound(process, data.roundId, (round) => ({
        ...round,
        status: 'cancelled',
        cancelledAt: event.occurredAt,
        cancellationReason: data.reason ?? null,
      }));
    }
    case 'WorkingGroupFormed': {
      const data = event.data as ProcessCommandData['FormWorkingGroup'];
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
      const data = event.data as ProcessCommandData['DissolveWorkingGroup'];
      return {
        ...process,
        workingGroups: process.workingGroups.map((g) =>
          g.workingGroupId === data.workingGroupId ? { ...g, status: 'dissolved', dissolvedAt: event.occurredAt } : g,
        ),
      };
    }
    case 'DocumentTabled': {
      const data = event.data as ProcessCommandData['TableDocument'];
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
      const data = event.data as ProcessCommandData['AdoptDocument'];
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
      const data = event.data as ProcessCommandData['IssueStatement'];
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
      const data = event.data as ProcessCommandData['CloseProcess'];
      return { ...process, status: 'closed', closedAt: event.occurredAt, closingReason: data.reason ?? null };
    }
    case 'EventCorrected':
    case 'EventRetracted':
      // Folded by evolveProcess, which re-derives the process from the corrected history.
      return process;
    default: {
      const _exhaustive: never = type;
      // An event type this version does not know (written by a newer one): leave the state as it is.
      return process;
    }
  }
}

export function foldProcess(effective: readonly EventEnvelope[]): Process | null {
  return effective.reduce<Process | null>((process, event) => applyProcessEvent(process, event), null);
}

export function evolveProcess(state: ProcessState, event: EventEnvelope): ProcessState {
  const history = [...state.history, event];
  const process = isCorrectionEvent(event.type)
    ? foldProcess(applyCorrections(history))
    : applyProcessEvent(state.process, event);
  return { revision: event.revision, streamId: event.streamId ?? state.streamId, history, process };
}
