import type { Actor } from '../shared/identifiers';
import type { PartyStatusInterval } from './agreement.parties';
import type {
  AgreementKind,
  DisputeClaim,
  AgreementStatus,
  ExtensionBasis,
  PartyStatus,
  ProvisionKind,
  ProvisionStatus,
  Renewal,
  TermStart,
} from './agreement.schemas';
import { type AgreementState, termEndsAt } from './agreement.state';

export interface AgreementView {
  agreementId: string;
  title: string;
  kind: AgreementKind;
  processId: string | null;
  status: AgreementStatus;
  /** Business time (as written) of the event that set the status. */
  statusSince: string;
  /** True once a party rejected it, and while a dispute is open. */
  contested: boolean;
  /** The stream revision of the last event the answer includes (an asOf answer: of then). */
  revision: number;
  /** When the text was adopted without signatures (AgreementAdopted), else null. */
  adoptedAt: string | null;
  /** Each party's status now (or asOf) and its status over time; a group carries its members. */
  parties: Array<{
    id: string;
    name: string;
    status: PartyStatus;
    members?: Array<{ id: string; name: string }>;
    statusHistory: PartyStatusInterval[];
  }>;
  /** The open disputes of the recorded status: one party's claim each. */
  disputes: Array<{ party: Actor; claim: DisputeClaim; since: string; eventId: string; reason?: string }>;
  endorsements: Array<{ by: Actor; instrument: string; url?: string; at: string; eventId: string }>;
  provisions: Array<{
    provisionId: string;
    kind: ProvisionKind;
    title: string;
    area?: string;
    /** As assessed; `ended` once the agreement ended (expired, terminated, superseded), until assessed again. */
    status: ProvisionStatus;
    level?: number;
  }>;
  term: {
    duration?: string;
    /** With duration: what it counts from (entry-into-force, or given-date with from). */
    countedFrom?: TermStart;
    from?: string;
    until?: string;
    /** Last instant the term covers (ISO UTC), null until it can be computed (see termEndsAt). */
    endsAt: string | null;
    renewal: Renewal;
    extensions: Array<{ until: string; basis: ExtensionBasis; occurredAt: string }>;
  } | null;
  supersededBy: string | null;
  draftedAt: string;
  signedAt: string | null;
  enteredIntoForceAt: string | null;
  breaches: Array<{
    eventId: string;
    provisionId?: string;
    allegedBy: Actor;
    against?: Actor;
    description: string;
    occurredAt: string;
  }>;
}

/**
 * The agreement as the contract shows it, or null when it does not exist (not drafted, drafting
 * retracted, or nothing folded yet in the asked time axis). The id comes from the caller (the
 * stream id names it; events do not repeat it).
 */
export function agreementView(state: AgreementState, agreementId: string): AgreementView | null {
  const agreement = state.agreement;
  if (!agreement) return null;
  const term = agreement.term;
  return {
    agreementId,
    title: agreement.title,
    kind: agreement.kind,
    processId: agreement.processId,
    status: agreement.status,
    statusSince: agreement.statusSince,
    contested: agreement.contested,
    revision: state.revision,
    adoptedAt: agreement.adoptedAt,
    parties: agreement.parties.map(({ id, name, status, members, statusHistory }) => ({
      id,
      name,
      status,
      ...(members !== undefined ? { members: members.map((member) => ({ ...member })) } : {}),
      statusHistory: statusHistory.map((interval) => ({ ...interval })),
    })),
    disputes: agreement.disputes.map((dispute) => ({ ...dispute })),
    endorsements: agreement.endorsements.map((endorsement) => ({ ...endorsement })),
    provisions: agreement.provisions.map(({ provisionId, kind, title, area, status, level }) => ({
      provisionId,
      kind,
      title,
      ...(area !== undefined ? { area } : {}),
      status,
      ...(level !== undefined ? { level } : {}),
    })),
    term: term
      ? {
          ...(term.duration !== undefined ? { duration: term.duration } : {}),
          ...(term.countedFrom !== undefined ? { countedFrom: term.countedFrom } : {}),
          ...(term.from !== undefined ? { from: term.from } : {}),
          ...(term.until !== undefined ? { until: term.until } : {}),
          endsAt: termEndsAt(agreement),
          renewal: term.renewal,
          extensions: term.extensions.map((e) => ({ ...e })),
        }
      : null,
    supersededBy: agreement.supersededBy,
    draftedAt: agreement.draftedAt,
    signedAt: agreement.signedAt,
    enteredIntoForceAt: agreement.enteredIntoForceAt,
    breaches: agreement.breaches.map((b) => ({ ...b })),
  };
}
