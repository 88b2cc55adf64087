import type { Actor } from '../shared/identifiers';
import type {
  AgreementKind,
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
  contested: boolean;
  /** The stream revision of the last event folded. */
  revision: number;
  parties: Array<{ id: string; name: string; status: PartyStatus }>;
  provisions: Array<{
    provisionId: string;
    kind: ProvisionKind;
    title: string;
    area?: string;
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
    parties: agreement.parties.map(({ id, name, status }) => ({ id, name, status })),
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
