import { tryParseBusinessTime, type BusinessTimePrecision } from '../shared/business-time';
import type { Actor } from '../shared/identifiers';
import type {
  DocumentStatus,
  ParticipantRole,
  ParticipantStatus,
  ProcessStatus,
  RoundStatus,
  StatementKind,
  WorkingGroupStatus,
} from './process.schemas';
import type { Postponement, ProcessState, Round } from './process.state';

export interface NextRound {
  roundId: string;
  ordinal: number | null;
  venue: string;
  /** The window as written (2017-08). */
  window: string;
  /** Always shown with the window: "Aug 2017", not "2017-08-01". */
  precision: BusinessTimePrecision;
  earliest: string;
  latest: string;
}

export interface ProcessView {
  processId: string;
  name: string;
  conflict: string | null;
  hostCountry: string | null;
  status: ProcessStatus;
  openedAt: string;
  closedAt: string | null;
  revision: number;
  participants: Array<{
    id: string;
    name: string;
    role: ParticipantRole;
    status: ParticipantStatus;
    delegationHead?: Actor;
  }>;
  rounds: Array<{
    roundId: string;
    ordinal: number | null;
    venue: string;
    status: RoundStatus;
    scheduledWindow: string;
    firstScheduledWindow: string;
    postponements: Postponement[];
    heldFrom: string | null;
    heldTo: string | null;
    outcome: string | null;
    delegations: Actor[];
    observers: Actor[];
  }>;
  workingGroups: Array<{
    workingGroupId: string;
    name: string;
    mandate: string;
    members: Actor[];
    status: WorkingGroupStatus;
    agreementIds: string[];
  }>;
  documents: Array<{
    documentId: string;
    title: string;
    topic: string;
    status: DocumentStatus;
    tabledBy?: Actor;
    agreementId?: string;
  }>;
  statements: Array<{ eventId: string; issuers: Actor[]; kind: StatementKind; summary: string; occurredAt: string }>;
  nextRound: NextRound | null;
}

/**
 * Of the rounds still to be held (scheduled or postponed), the one whose window starts soonest
 * (ties: the narrower window, then the lower ordinal). No clock: "next" is among the pending
 * rounds, whatever today is; an asOf view folds only what had happened by then.
 */
export function nextRound(rounds: readonly Round[]): NextRound | null {
  let best: NextRound | null = null;
  for (const round of rounds) {
    if (round.status !== 'scheduled' && round.status !== 'postponed') continue;
    const window = tryParseBusinessTime(round.scheduledWindow);
    if (!window.ok) continue;
    const candidate: NextRound = {
      roundId: round.roundId,
      ordinal: round.ordinal,
      venue: round.venue,
      window: round.scheduledWindow,
      precision: window.value.precision,
      earliest: window.value.earliest,
      latest: window.value.latest,
    };
    if (!best || compareCandidates(candidate, best) < 0) best = candidate;
  }
  return best;
}

function compareCandidates(a: NextRound, b: NextRound): number {
  return (
    Date.parse(a.earliest) - Date.parse(b.earliest) ||
    Date.parse(a.latest) - Date.parse(b.latest) ||
    (a.ordinal ?? Number.MAX_SAFE_INTEGER) - (b.ordinal ?? Number.MAX_SAFE_INTEGER)
  );
}

/** The process as the contract shows it, or null when it does not exist (not opened, or its opening retracted). */
export function processView(state: ProcessState, processId: string): ProcessView | null {
  const process = state.process;
  if (!process) return null;
  return {
    processId,
    name: process.name,
    conflict: process.conflict,
    hostCountry: process.hostCountry,
    status: process.status,
    openedAt: process.openedAt,
    closedAt: process.closedAt,
    revision: state.revision,
    participants: process.participants.map(({ id, name, role, status, delegationHead }) => ({
      id,
      name,
      role,
      status,
      ...(delegationHead ? { delegationHead } : {}),
    })),
    rounds: process.rounds.map((round) => ({
      roundId: round.roundId,
      ordinal: round.ordinal,
      venue: round.venue,
      status: round.status,
      scheduledWindow: round.scheduledWindow,
      firstScheduledWindow: round.firstScheduledWindow,
      postponements: round.postponements.map((p) => ({ ...p })),
      heldFrom: round.heldFrom,
      heldTo: round.heldTo,
      outcome: round.outcome,
      delegations: round.delegations,
      observers: round.observers,
    })),
    workingGroups: process.workingGroups.map(({ workingGroupId, name, mandate, members, status, agreementIds }) => ({
      workingGroupId,
      name,
      mandate,
      members,
      status,
      agreementIds,
    })),
    documents: process.documents.map(({ documentId, title, topic, status, tabledBy, agreementId }) => ({
      documentId,
      title,
      topic,
      status,
      ...(tabledBy ? { tabledBy } : {}),
      ...(agreementId !== undefined ? { agreementId } : {}),
    })),
    statements: process.statements.map((s) => ({ ...s })),
    nextRound: nextRound(process.rounds),
  };
}
