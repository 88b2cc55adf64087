import { type BusinessTime, tryParseBusinessTime, toIsoInstant } from '../shared/business-time';
import type { Envelope, FactEvent } from '../shared/decider';
import { addDuration } from '../shared/duration';
import type { Actor } from '../shared/identifiers';
import { newParty, type Party, settingPartyStatus } from './agreement.parties';
import type {
  AgreementEvent,
  AgreementKind,
  AgreementStatus,
  DisputeClaim,
  ExtensionBasis,
  ProvisionKind,
  ProvisionStatus,
  Renewal,
  TermStart,
} from './agreement.schemas';

export type { Party, PartyStatusInterval } from './agreement.parties';

export interface Provision {
  provisionId: string;
  kind: ProvisionKind;
  title: string;
  area?: string;
  status: ProvisionStatus;
  level?: number;
  addedAt: string;
  assessedAt?: string;
}

export interface TermExtension {
  until: string;
  basis: ExtensionBasis;
  occurredAt: string;
}

export interface Term {
  duration?: string;
  /** With duration: what it counts from (TermSet v2; a v1 duration reads as entry-into-force). */
  countedFrom?: TermStart;
  /** With countedFrom given-date: when the term starts. */
  from?: string;
  until?: string;
  renewal: Renewal;
  setAt: string;
  extensions: TermExtension[];
}

export interface Breach {
  eventId: string;
  provisionId?: string;
  allegedBy: Actor;
  against?: Actor;
  description: string;
  occurredAt: string;
}

/** A party's open claim against the recorded status. */
export interface Dispute {
  party: Actor;
  claim: DisputeClaim;
  reason?: string;
  /** Business time of the StatusDisputed event, as written. */
  since: string;
  eventId: string;
}

export interface Endorsement {
  by: Actor;
  instrument: string;
  url?: string;
  /** Business time of the AgreementEndorsed event, as written. */
  at: string;
  eventId: string;
}

export interface Agreement {
  title: string;
  kind: AgreementKind;
  processId: string | null;
  status: AgreementStatus;
  /** Business time of the event that set the current status. */
  statusSince: string;
  /** The event that set the current status (named when a fact dated after the end is refused). */
  statusEventId: string;
  /** True once a party rejected it, and while a dispute is open. */
  contested: boolean;
  /** The open disputes (withdrawn ones are left out), in business order. */
  disputes: Dispute[];
  endorsements: Endorsement[];
  /** When the text was adopted (AgreementAdopted), null when it was not. */
  adoptedAt: string | null;
  parties: Party[];
  provisions: Provision[];
  term: Term | null;
  breaches: Breach[];
  draftedAt: string;
  /** The first signature. */
  signedAt: string | null;
  enteredIntoForceAt: string | null;
  supersededBy: string | null;
  /** Reason given with the last suspension, resumption or termination. */
  statusReason: string | null;
}

/** An event evolve folds: a fact of the agreement stream (corrections are resolved by loadStream). */
export type AgreementFact = Envelope<FactEvent<AgreementEvent>>;

/** The agreement stream folded: no history (loadStream keeps the recorded events, for the rules that need them). */
export interface AgreementState {
  /** Revision of the last event taken into account (corrections included); -1 when the stream has none. */
  revision: number;
  streamId?: string;
  /** The agreement as the effective events describe it; null before it is drafted or when its drafting was retracted. */
  agreement: Agreement | null;
}

export const initialAgreementState: AgreementState = { revision: -1, agreement: null };

const FINAL: ReadonlySet<AgreementStatus> = new Set(['expired', 'terminated', 'superseded']);

export function isFinalStatus(status: AgreementStatus): boolean {
  return FINAL.has(status);
}

function withStatus(agreement: Agreement, status: AgreementStatus, event: AgreementFact, reason?: string): Agreement {
  return { ...agreement, status, statusSince: event.occurredAt, statusEventId: event.eventId, statusReason: reason ?? null };
}

function withPartiesStatus(agreement: Agreement, actors: Actor[], status: Party['status'], event: AgreementFact): Agreement {
  let parties = agreement.parties;
  for (const actor of actors) parties = settingPartyStatus(parties, actor, status, event.occurredAt, event.eventId);
  return { ...agreement, parties };
}

/** Contested once a party rejected it (for good), and while a dispute is open. */
function withContested(agreement: Agreement): Agreement {
  const contested = agreement.disputes.length > 0 || agreement.parties.some((party) => party.rejectedAt !== undefined);
  return contested === agreement.contested ? agreement : { ...agreement, contested };
}

/**
 * An ending (expired, terminated, superseded) closes every provision's open interval: a provision
 * reads `ended` from then on, until an assessment dated later says otherwise.
 */
function ended(agreement: Agreement, status: AgreementStatus, event: AgreementFact, reason?: string): Agreement {
  const provisions = agreement.provisions.map((provision) => {
    const { level: _level, ...rest } = provision;
    return { ...rest, status: 'ended' as const };
  });
  return { ...withStatus(agreement, status, event, reason), provisions };
}

/**
 * One effective event applied to the agreement. Events are facts: nothing here refuses one, so a
 * stream that corrections made look odd (a signature retracted after entry into force) still folds.
 */
export function applyAgreementEvent(agreement: Agreement | null, event: AgreementFact): Agreement | null {
  if (event.type === 'AgreementDrafted') {
    const { data } = event;
    return {
      title: data.title,
      kind: data.kind,
      processId: data.processId ?? null,
      status: 'draft',
      statusSince: event.occurredAt,
      statusEventId: event.eventId,
      contested: false,
      disputes: [],
      endorsements: [],
      adoptedAt: null,
      parties: data.parties.map((actor) => newParty(actor, true, 'pending', event.occurredAt, event.eventId)),
      provisions: [],
      term: null,
      breaches: [],
      draftedAt: event.occurredAt,
      signedAt: null,
      enteredIntoForceAt: null,
      supersededBy: null,
      statusReason: null,
    };
  }
  // Before the drafting (or after it was retracted) there is no agreement for the other events to change.
  if (agreement === null) return null;
  switch (event.type) {
    case 'AgreementAdopted': {
      const adopted = agreement.status === 'draft' ? withStatus(agreement, 'adopted', event) : agreement;
      return { ...withPartiesStatus(adopted, event.data.adoptedBy, 'adopted', event), adoptedAt: agreement.adoptedAt ?? event.occurredAt };
    }
    case 'MemorandumSigned':
    case 'AgreementSigned': {
      // An adopted text stays adopted: its later signatures count per party.
      const signed = agreement.status === 'draft' ? withStatus(agreement, 'signed', event) : agreement;
      return { ...withPartiesStatus(signed, event.data.signatories, 'signed', event), signedAt: agreement.signedAt ?? event.occurredAt };
    }
    case 'AgreementRatified':
      return withPartiesStatus(agreement, [event.data.party], 'ratified', event);
    case 'PartyAcceded':
      return withPartiesStatus(agreement, [event.data.party], 'acceded', event);
    case 'AgreementEndorsed': {
      const { data } = event;
      const endorsement: Endorsement = { by: data.by, instrument: data.instrument, at: event.occurredAt, eventId: event.eventId };
      if (data.url !== undefined) endorsement.url = data.url;
      return { ...agreement, endorsements: [...agreement.endorsements, endorsement] };
    }
    case 'StatusDisputed': {
      const { data } = event;
      const dispute: Dispute = { party: data.party, claim: data.claim, since: event.occurredAt, eventId: event.eventId };
      if (data.reason !== undefined) dispute.reason = data.reason;
      const others = agreement.disputes.filter((open) => open.party.id !== data.party.id);
      return withContested({ ...agreement, disputes: [...others, dispute] });
    }
    case 'DisputeWithdrawn': {
      const disputes = agreement.disputes.filter((open) => open.party.id !== event.data.party.id);
      return withContested({ ...agreement, disputes });
    }
    case 'AgreementEnteredIntoForce':
      return {
        ...withStatus(agreement, 'in-force', event),
        enteredIntoForceAt: agreement.enteredIntoForceAt ?? event.occurredAt,
      };
    case 'TermSet': {
      const { data } = event;
      const term: Term = { renewal: data.renewal, setAt: event.occurredAt, extensions: [] };
      if (data.duration !== undefined) {
        term.duration = data.duration;
        term.countedFrom = data.countedFrom ?? 'entry-into-force';
        if (data.countedFrom === 'given-date' && data.from !== undefined) term.from = data.from;
      }
      if (data.until !== undefined) term.until = data.until;
      return { ...agreement, term };
    }
    case 'TermExtended': {
      const { data } = event;
      if (!agreement.term) return agreement;
      const extension = { until: data.until, basis: data.basis, occurredAt: event.occurredAt };
      return { ...agreement, term: { ...agreement.term, extensions: [...agreement.term.extensions, extension] } };
    }
    case 'ProvisionAdded': {
      const { data } = event;
      const provision: Provision = {
        provisionId: data.provisionId,
        kind: data.kind,
        title: data.title,
        status: 'planned',
        addedAt: event.occurredAt,
      };
      if (data.area !== undefined) provision.area = data.area;
      return { ...agreement, provisions: [...agreement.provisions, provision] };
    }
    case 'ProvisionAssessed': {
      const { data } = event;
      return {
        ...agreement,
        provisions: agreement.provisions.map((provision) => {
          if (provision.provisionId !== data.provisionId) return provision;
          // An assessment without a level says nothing about the level: the previous one no longer holds either.
          const { level: _previous, ...rest } = provision;
          const assessed: Provision = { ...rest, status: data.status, assessedAt: event.occurredAt };
          if (data.level !== undefined) assessed.level = data.level;
          return assessed;
        }),
      };
    }
    case 'BreachReported': {
      const { data } = event;
      const breach: Breach = {
        eventId: event.eventId,
        allegedBy: data.allegedBy,
        description: data.description,
        occurredAt: event.occurredAt,
      };
      if (data.provisionId !== undefined) breach.provisionId = data.provisionId;
      if (data.against !== undefined) breach.against = data.against;
      return { ...agreement, breaches: [...agreement.breaches, breach] };
    }
    case 'PartyRejected':
      return withContested(withPartiesStatus(agreement, [event.data.party], 'rejected', event));
    case 'PartyWithdrew':
      return withPartiesStatus(agreement, [event.data.party], 'withdrawn', event);
    case 'AgreementSuspended':
      return withStatus(agreement, 'suspended', event, event.data.reason);
    case 'AgreementResumed':
      return withStatus(agreement, 'in-force', event, event.data.reason);
    case 'AgreementExpired':
      return ended(agreement, 'expired', event);
    case 'AgreementTerminated':
      return ended(agreement, 'terminated', event, event.data.reason);
    case 'AgreementSuperseded':
      return { ...ended(agreement, 'superseded', event), supersededBy: event.data.byAgreementId };
    default: {
      const _exhaustive: never = event;
      // An event type this version does not know (written by a newer one): leave the state as it is.
      return agreement;
    }
  }
}

export function evolveAgreement(state: AgreementState, event: AgreementFact): AgreementState {
  const agreement = applyAgreementEvent(state.agreement, event);
  const streamId = event.streamId ?? state.streamId;
  return streamId === undefined ? { revision: event.revision, agreement } : { revision: event.revision, streamId, agreement };
}

function parsed(text: string | null | undefined): BusinessTime | null {
  if (text === null || text === undefined) return null;
  const result = tryParseBusinessTime(text);
  return result.ok ? result.value : null;
}

/**
 * When the term ends: the last instant it covers (ISO, UTC), or null when it cannot be known yet.
 * The last extension's `until` when extended, else `until`, else the duration counted from the
 * earliest instant of `from` (countedFrom given-date) or of entry into force (countedFrom
 * entry-into-force: of the first signature while not yet in force), minus
 * one millisecond: P6M from 2017-05-06 covers up to 2017-11-05T23:59:59.999Z. `until` covers the
 * whole period it names (until 2017-12 ends 2017-12-31T23:59:59.999Z).
 */
export function termEndsAt(agreement: Agreement): string | null {
  const term = agreement.term;
  if (!term) return null;
  const lastExtension = term.extensions[term.extensions.length - 1];
  if (lastExtension) return parsed(lastExtension.until)?.latest ?? null;
  if (term.until !== undefined) return parsed(term.until)?.latest ?? null;
  const start =
    term.countedFrom === 'given-date' ? parsed(term.from) : (parsed(agreement.enteredIntoForceAt) ?? parsed(agreement.signedAt));
  if (!start || term.duration === undefined) return null;
  return toIsoInstant(Date.parse(addDuration(start.earliest, term.duration)) - 1);
}
