import type { FactEvent } from '../shared/decider';
import { DomainError } from '../shared/domain-error';
import { readStoredTime } from '../shared/rule-helpers';
import { isBound, type Party } from './agreement.parties';
import type { AgreementEvent, AgreementStatus } from './agreement.schemas';
import { type Agreement, isFinalStatus, termEndsAt } from './agreement.state';

/**
 * "May this fact happen in this state?": the one set of agreement rules. decide checks the
 * command's events against the agreement as it stood at the command's business time, and the
 * later-fact check re-checks every later fact with the same rules, so no rule is written twice.
 * Each rule throws a DomainError (422) naming itself.
 */
export type CheckedFact = FactEvent<AgreementEvent> & { occurredAt: string; eventId?: string };

/** Accepted in every status, final ones included: a party may always contest the recorded status. */
const ACCEPTED_AFTER_THE_END: ReadonlySet<string> = new Set(['StatusDisputed', 'DisputeWithdrawn']);
const CONCLUDED: AgreementStatus[] = ['adopted', 'signed', 'in-force', 'suspended'];

function refuse(code: string, message: string, details?: Record<string, unknown>): never {
  throw new DomainError(code, message, details);
}

function refuseUnlessStatus(agreement: Agreement, allowed: AgreementStatus[], code: string, action: string): void {
  if (!allowed.includes(agreement.status)) {
    refuse(code, `The agreement is ${agreement.status}: ${action} needs it ${allowed.join(' or ')}`, {
      status: agreement.status,
      allowed,
    });
  }
}

function partyOf(agreement: Agreement, id: string): Party | undefined {
  return agreement.parties.find((party) => party.id === id);
}

/** Throws the DomainError of the first rule the fact breaks in this state (null: no agreement drafted by then). */
export function checkAgreementFact(agreement: Agreement | null, fact: CheckedFact): void {
  if (fact.type === 'AgreementDrafted') {
    if (agreement) refuse('AGREEMENT_EXISTS', 'The agreement was already drafted: an agreement is drafted once');
    return;
  }
  if (!agreement) {
    refuse(
      'NOT_YET_DRAFTED',
      `The agreement had not been drafted by ${fact.occurredAt}: its facts are dated from its drafting on`,
      { occurredAt: fact.occurredAt },
    );
  }
  if (isFinalStatus(agreement.status) && !ACCEPTED_AFTER_THE_END.has(fact.type)) {
    refuse(
      'AGREEMENT_FINAL',
      `The agreement was ${agreement.status} on ${agreement.statusSince} (event ${agreement.statusEventId}), a final status: a fact dated ${fact.occurredAt} comes after its end (only disputes, corrections and retractions are accepted)`,
      { status: agreement.status, endedBy: agreement.statusEventId, endedAt: agreement.statusSince },
    );
  }
  checkFactRules(agreement, fact);
}

function checkFactRules(agreement: Agreement, fact: CheckedFact): void {
  switch (fact.type) {
    case 'AgreementDrafted':
      return;
    case 'AgreementAdopted':
      if (agreement.status === 'adopted') refuse('ALREADY_ADOPTED', `The agreement was already adopted (${agreement.adoptedAt})`);
      refuseUnlessStatus(agreement, ['draft'], 'AGREEMENT_ALREADY_CONCLUDED', 'adoption');
      return;
    case 'MemorandumSigned':
    case 'AgreementSigned': {
      refuseUnlessStatus(agreement, ['draft', 'adopted', 'signed', 'in-force'], 'AGREEMENT_SUSPENDED', 'signing');
      const signatories = fact.data.signatories;
      const already = signatories.filter((actor) => ['signed', 'ratified'].includes(partyOf(agreement, actor.id)?.status ?? ''));
      if (already.length > 0) {
        refuse('ALREADY_SIGNED', `${already.map((a) => a.id).join(', ')} already signed: a party cannot sign twice`, {
          parties: already.map((a) => a.id),
        });
      }
      const acceded = signatories.filter((actor) => partyOf(agreement, actor.id)?.status === 'acceded');
      if (acceded.length > 0) {
        refuse('ALREADY_BOUND', `${acceded.map((a) => a.id).join(', ')} acceded: it is bound already`, { parties: acceded.map((a) => a.id) });
      }
      return;
    }
    case 'AgreementRatified':
      return checkRatification(agreement, fact.data.party.id);
    case 'PartyAcceded': {
      const { party } = fact.data;
      refuseUnlessStatus(agreement, CONCLUDED, 'NOT_CONCLUDED', 'an accession');
      const existing = partyOf(agreement, party.id);
      if (existing && isBound(existing.status)) {
        refuse('ALREADY_BOUND', `${party.id} is ${existing.status}: it is bound already (a party accedes again after withdrawing)`, {
          party: party.id,
          partyStatus: existing.status,
        });
      }
      return;
    }
    case 'AgreementEnteredIntoForce':
      return checkEntryIntoForce(agreement);
    case 'TermSet':
      if (agreement.term) {
        refuse('TERM_ALREADY_SET', 'The term was already set: extend it (ExtendTerm) or correct it (RecordCorrection)', {
          term: agreement.term,
        });
      }
      return;
    case 'TermExtended': {
      if (!agreement.term) refuse('TERM_NOT_SET', 'The agreement has no term to extend: set it first (SetTerm)');
      const until = readStoredTime(fact.data.until);
      const endsAt = termEndsAt(agreement);
      if (until && endsAt !== null && Date.parse(until.latest) <= Date.parse(endsAt)) {
        refuse('EXTENSION_NOT_LATER', `An extension must end after the current term (${endsAt}); ${until.value} ends ${until.latest}`, {
          endsAt,
          until: until.value,
        });
      }
      return;
    }

    case 'ProvisionAdded':
      if (agreement.provisions.some((p) => p.provisionId === fact.data.provisionId)) {
        refuse('PROVISION_EXISTS', `Provision ${fact.data.provisionId} already exists: provision ids are unique within an agreement`, {
          provisionId: fact.data.provisionId,
        });
      }
      return;
    case 'ProvisionAssessed':
      if (!agreement.provisions.some((p) => p.provisionId === fact.data.provisionId)) {
        refuse('PROVISION_NOT_FOUND', `Provision ${fact.data.provisionId} does not exist: a provision must be added before it is assessed`, {
          provisionId: fact.data.provisionId,
        });
      }
      return;
    case 'BreachReported': {
      const { provisionId } = fact.data;
      refuseUnlessStatus(agreement, CONCLUDED, 'AGREEMENT_NOT_SIGNED', 'a breach');
      if (provisionId !== undefined && !agreement.provisions.some((p) => p.provisionId === provisionId)) {
        refuse('PROVISION_NOT_FOUND', `Provision ${provisionId} does not exist: a breach can only name a provision of the agreement`, {
          provisionId,
        });
      }
      return;
    }
    case 'AgreementEndorsed': {
      const { by, instrument } = fact.data;
      if (agreement.endorsements.some((e) => e.by.id === by.id && e.instrument === instrument)) {
        refuse('ALREADY_ENDORSED', `${by.id} already endorsed the agreement by ${instrument}`, { by: by.id, instrument });
      }
      return;
    }
    case 'StatusDisputed': {
      const { party, claim } = fact.data;
      if (agreement.disputes.some((d) => d.party.id === party.id && d.claim === claim)) {
        refuse('ALREADY_DISPUTED', `${party.id} already holds the agreement to be ${claim}: withdraw that dispute first`, {
          party: party.id,
          claim,
        });
      }
      return;
    }
    case 'DisputeWithdrawn':
      if (!agreement.disputes.some((d) => d.party.id === fact.data.party.id)) {
        refuse('NO_DISPUTE', `${fact.data.party.id} has no open dispute of the agreement's status to withdraw`, { party: fact.data.party.id });
      }
      return;
    case 'PartyRejected': {
      const { party } = fact.data;
      const status = partyOf(agreement, party.id)?.status;
      if (status === 'rejected') refuse('ALREADY_REJECTED', `${party.id} already rejected the agreement`, { party: party.id });
      if (status === 'ratified' || status === 'acceded') {
        refuse('REJECTION_AFTER_RATIFICATION', `${party.id} ${status} the agreement: a bound party leaves by withdrawal (RecordWithdrawal)`, {
          party: party.id,
        });
      }
      if (status === 'withdrawn') {
        refuse('PARTY_WITHDRAWN', `${party.id} withdrew from the agreement: it has nothing left to reject`, { party: party.id });
      }
      return;
    }
    case 'PartyWithdrew': {
      const { party } = fact.data;
      const existing = partyOf(agreement, party.id);
      if (!existing) refuse('NOT_A_PARTY', `${party.id} is not a party to the agreement: only a party can withdraw`, { party: party.id });
      if (existing.status === 'withdrawn') refuse('ALREADY_WITHDRAWN', `${party.id} already withdrew from the agreement`, { party: party.id });
      if (!isBound(existing.status)) {
        refuse('PARTY_NOT_SIGNED', `${party.id} is ${existing.status}: only a bound party (adopted, signed, ratified, acceded) can withdraw`, {
          party: party.id,
          partyStatus: existing.status,
        });
      }
      return;
    }
    case 'AgreementSuspended':
      if (agreement.status === 'suspended') refuse('AGREEMENT_ALREADY_SUSPENDED', 'The agreement is already suspended');
      return refuseUnlessStatus(agreement, ['in-force'], 'AGREEMENT_NOT_IN_FORCE', 'suspension');
    case 'AgreementResumed':
      return refuseUnlessStatus(agreement, ['suspended'], 'AGREEMENT_NOT_SUSPENDED', 'resumption');
    case 'AgreementExpired': {
      refuseUnlessStatus(agreement, ['in-force', 'suspended'], 'AGREEMENT_NOT_IN_FORCE', 'expiry');
      const endsAt = termEndsAt(agreement);
      const expiredAt = readStoredTime(fact.occurredAt);
      if (endsAt !== null && expiredAt && Date.parse(expiredAt.latest) < Date.parse(endsAt)) {
        refuse(
          'EXPIRED_BEFORE_TERM_END',
          `The term runs until ${endsAt}: the agreement cannot expire at ${expiredAt.value} (end it early with TerminateAgreement)`,
          { endsAt },
        );
      }
      return;
    }
    case 'AgreementTerminated':
      return refuseUnlessStatus(agreement, CONCLUDED, 'AGREEMENT_NOT_SIGNED', 'termination');
    case 'AgreementSuperseded':
      return refuseUnlessStatus(agreement, CONCLUDED, 'AGREEMENT_NOT_SIGNED', 'supersession');
    default: {
      const _exhaustive: never = fact;
      // A fact type this version does not know (written by a newer one): nothing to check.
      return;
    }
  }
}

function checkRatification(agreement: Agreement, partyId: string): void {
  const existing = partyOf(agreement, partyId);
  if (!existing) {
    refuse('NOT_A_PARTY', `${partyId} is not a party to the agreement: only a party that signed can ratify`, { party: partyId });
  }
  if (existing.status === 'ratified') refuse('ALREADY_RATIFIED', `${partyId} already ratified the agreement`, { party: partyId });
  if (existing.status !== 'signed' && existing.status !== 'adopted') {
    refuse('PARTY_NOT_SIGNED', `${partyId} is ${existing.status}: only a party that signed (or adopted the text) can ratify`, {
      party: partyId,
      partyStatus: existing.status,
    });
  }
}

function checkEntryIntoForce(agreement: Agreement): void {
  if (agreement.status === 'in-force' || agreement.status === 'suspended') {
    refuse(
      'AGREEMENT_ALREADY_IN_FORCE',
      `The agreement is already ${agreement.status}: it enters into force once (a suspended one is resumed)`,
      { status: agreement.status },
    );
  }
  refuseUnlessStatus(agreement, ['signed', 'adopted'], 'AGREEMENT_NOT_SIGNED', 'entry into force');
}


/** The refusal the fact would get in this state, or undefined when it may happen. */
export function refusalOf(agreement: Agreement | null, fact: CheckedFact): DomainError | undefined {
  try {
    checkAgreementFact(agreement, fact);
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}
