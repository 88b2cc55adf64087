import { isEntirelyBefore } from '../shared/business-time';
import { decideCorrection } from '../shared/correction-rules';
import type { LoadedStream } from '../shared/decider';
import { type LoadingDecider, withLoader } from '../shared/load-stream';
import { DomainError, validationFailed } from '../shared/domain-error';
import { tryParseDuration } from '../shared/duration';
import { parseStreamId } from '../shared/identifiers';
import { readBusinessTime, readStoredTime, refuseDuplicateActors } from '../shared/rule-helpers';
import { agreementCausalRank } from './agreement.causal-rank';
import { agreementCrossFieldProblems } from './agreement.data-rules';
import {
  type AgreementCommand,
  type AgreementEvent,
  agreementEventDataSchemas,
  agreementIdentityFields,
  type AgreementStatus,
} from './agreement.schemas';
import {
  type Agreement,
  type AgreementState,
  evolveAgreement,
  initialAgreementState,
  isFinalStatus,
  type Party,
  termEndsAt,
} from './agreement.state';

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

function ownAgreementId(state: AgreementState): string | undefined {
  const parsed = state.streamId ? parseStreamId(state.streamId) : undefined;
  return parsed?.kind === 'agreement' ? parsed.id : undefined;
}

function decideAgreement(command: AgreementCommand, stream: LoadedStream<AgreementState>): AgreementEvent[] {
  const { state } = stream;
  const occurredAt = readBusinessTime(command.occurredAt, 'occurredAt');

  if (command.type === 'DraftAgreement') {
    if (state.agreement) refuse('AGREEMENT_EXISTS', 'The agreement was already drafted: an agreement is drafted once');
    refuseDuplicateActors(command.data.parties);
    return [{ type: 'AgreementDrafted', data: command.data }];
  }
  if (stream.recorded.length === 0) {
    throw new DomainError(
      'AGREEMENT_NOT_FOUND',
      `There is no such agreement: draft it first (DraftAgreement)`,
      undefined,
      404,
    );
  }
  if (command.type === 'RecordCorrection' || command.type === 'RetractEvent') {
    // Allowed in every status, final ones included: the record of what happened can always be put right.
    return decideCorrection(command, stream, {
      eventDataSchemas: agreementEventDataSchemas,
      identityFields: agreementIdentityFields,
      crossFieldProblems: (type, data) => agreementCrossFieldProblems(type, data, 'data.data'),
    });
  }
  const agreement = state.agreement;
  if (!agreement) {
    throw new DomainError(
      'AGREEMENT_NOT_FOUND',
      'The drafting of this agreement was retracted: draft it again first',
      undefined,
      404,
    );
  }
  if (isFinalStatus(agreement.status)) {
    refuse(
      'AGREEMENT_FINAL',
      `The agreement is ${agreement.status}, a final status: only corrections and retractions are accepted`,
      {
        status: agreement.status,
      },
    );
  }

  switch (command.type) {
    case 'SignAgreement': {
      const { signatories } = command.data;
      refuseUnlessStatus(agreement, ['draft', 'signed', 'in-force'], 'AGREEMENT_SUSPENDED', 'signing');
      refuseDuplicateActors(signatories);
      const already = signatories.filter((actor) => {
        const status = partyOf(agreement, actor.id)?.status;
        return status === 'signed' || status === 'ratified';
      });
      if (already.length > 0) {
        refuse('ALREADY_SIGNED', `${already.map((a) => a.id).join(', ')} already signed: a party cannot sign twice`, {
          parties: already.map((a) => a.id),
        });
      }
      return [{ type: agreement.kind === 'memorandum' ? 'MemorandumSigned' : 'AgreementSigned', data: command.data }];
    }
    case 'RatifyAgreement': {
      const { party } = command.data;
      const existing = partyOf(agreement, party.id);
      if (!existing)
        refuse('NOT_A_PARTY', `${party.id} is not a party to the agreement: only a party that signed can ratify`, {
          party: party.id,
        });
      if (existing.status === 'ratified')
        refuse('ALREADY_RATIFIED', `${party.id} already ratified the agreement`, { party: party.id });
      if (existing.status !== 'signed') {
        refuse('PARTY_NOT_SIGNED', `${party.id} is ${existing.status}: only a party that signed can ratify`, {
          party: party.id,
          partyStatus: existing.status,
        });
      }
      const signedAt = readStoredTime(existing.signedAt);
      if (signedAt && isEntirelyBefore(occurredAt, signedAt)) {
        refuse(
          'RATIFIED_BEFORE_SIGNED',
          `${party.id} cannot ratify (${occurredAt.value}) before it signed (${signedAt.value})`,
          {
            party: party.id,
            signedAt: signedAt.value,
          },
        );
      }
      return [{ type: 'AgreementRatified', data: command.data }];
    }
    case 'BringIntoForce': {
      if (agreement.status === 'in-force' || agreement.status === 'suspended') {
        refuse(
          'AGREEMENT_ALREADY_IN_FORCE',
          `The agreement is already ${agreement.status}: it enters into force once (a suspended one is resumed)`,
          {
            status: agreement.status,
          },
        );
      }
      refuseUnlessStatus(agreement, ['signed'], 'AGREEMENT_NOT_SIGNED', 'entry into force');
      const signedAt = readStoredTime(agreement.signedAt);
      if (signedAt && isEntirelyBefore(occurredAt, signedAt)) {
        refuse(
          'IN_FORCE_BEFORE_SIGNATURE',
          `The agreement cannot enter into force (${occurredAt.value}) before it was signed (${signedAt.value})`,
          {
            signedAt: signedAt.value,
          },
        );
      }
      return [{ type: 'AgreementEnteredIntoForce', data: command.data }];
    }
    case 'SetTerm': {
      const problems = agreementCrossFieldProblems('SetTerm', command.data);
      if (command.data.duration !== undefined) {
        const duration = tryParseDuration(command.data.duration);
        if (!duration.ok) problems.push({ field: 'data.duration', message: duration.reason });
      }
      if (problems.length > 0) throw validationFailed(problems);
      if (command.data.until !== undefined) readBusinessTime(command.data.until, 'data.until');
      if (agreement.term) {
        refuse(
          'TERM_ALREADY_SET',
          'The term was already set: extend it (ExtendTerm) or correct it (RecordCorrection)',
          {
            term: agreement.term,
          },
        );
      }
      return [{ type: 'TermSet', data: command.data }];
    }
    case 'ExtendTerm': {
      const until = readBusinessTime(command.data.until, 'data.until');
      if (!agreement.term) refuse('TERM_NOT_SET', 'The agreement has no term to extend: set it first (SetTerm)');
      const endsAt = termEndsAt(agreement);
      if (endsAt !== null && Date.parse(until.latest) <= Date.parse(endsAt)) {
        refuse(
          'EXTENSION_NOT_LATER',
          `An extension must end after the current term (${endsAt}); ${until.value} ends ${until.latest}`,
          {
            endsAt,
            until: until.value,
          },
        );
      }
      return [{ type: 'TermExtended', data: command.data }];
    }
    case 'AddProvision': {
      const { provisionId } = command.data;
      if (agreement.provisions.some((p) => p.provisionId === provisionId)) {
        refuse(
          'PROVISION_EXISTS',
          `Provision ${provisionId} already exists: provision ids are unique within an agreement`,
          { provisionId },
        );
      }
      return [{ type: 'ProvisionAdded', data: command.data }];
    }
    case 'AssessProvision': {
      const { provisionId } = command.data;
      if (!agreement.provisions.some((p) => p.provisionId === provisionId)) {
        refuse(
          'PROVISION_NOT_FOUND',
          `Provision ${provisionId} does not exist: a provision must be added before it is assessed`,
          { provisionId },
        );
      }
      return [{ type: 'ProvisionAssessed', data: command.data }];
    }
    case 'ReportBreach': {
      const { provisionId } = command.data;
      refuseUnlessStatus(agreement, ['signed', 'in-force', 'suspended'], 'AGREEMENT_NOT_SIGNED', 'a breach');
      if (provisionId !== undefined && !agreement.provisions.some((p) => p.provisionId === provisionId)) {
        refuse(
          'PROVISION_NOT_FOUND',
          `Provision ${provisionId} does not exist: a breach can only name a provision of the agreement`,
          { provisionId },
        );
      }
      return [{ type: 'BreachReported', data: command.data }];
    }
    case 'RecordRejection': {
      const { party } = command.data;
      const status = partyOf(agreement, party.id)?.status;
      if (status === 'rejected')
        refuse('ALREADY_REJECTED', `${party.id} already rejected the agreement`, { party: party.id });
      if (status === 'ratified') {
        refuse(
          'REJECTION_AFTER_RATIFICATION',
          `${party.id} ratified the agreement: a ratifying party leaves by withdrawal (RecordWithdrawal)`,
          {
            party: party.id,
          },
        );
      }
      if (status === 'withdrawn')
        refuse('PARTY_WITHDRAWN', `${party.id} withdrew from the agreement: it has nothing left to reject`, {
          party: party.id,
        });
      return [{ type: 'PartyRejected', data: command.data }];
    }
    case 'RecordWithdrawal': {
      const { party } = command.data;
      const existing = partyOf(agreement, party.id);
      if (!existing)
        refuse('NOT_A_PARTY', `${party.id} is not a party to the agreement: only a party can withdraw`, {
          party: party.id,
        });
      if (existing.status === 'withdrawn')
        refuse('ALREADY_WITHDRAWN', `${party.id} already withdrew from the agreement`, { party: party.id });
      if (existing.status !== 'signed' && existing.status !== 'ratified') {
        refuse(
          'PARTY_NOT_SIGNED',
          `${party.id} is ${existing.status}: only a party that signed or ratified can withdraw`,
          {
            party: party.id,
            partyStatus: existing.status,
          },
        );
      }
      return [{ type: 'PartyWithdrew', data: command.data }];
    }
    case 'SuspendAgreement':
      if (agreement.status === 'suspended') refuse('AGREEMENT_ALREADY_SUSPENDED', 'The agreement is already suspended');
      refuseUnlessStatus(agreement, ['in-force'], 'AGREEMENT_NOT_IN_FORCE', 'suspension');
      return [{ type: 'AgreementSuspended', data: command.data }];
    case 'ResumeAgreement':
      refuseUnlessStatus(agreement, ['suspended'], 'AGREEMENT_NOT_SUSPENDED', 'resumption');
      return [{ type: 'AgreementResumed', data: command.data }];
    case 'ExpireAgreement': {
      refuseUnlessStatus(agreement, ['in-force', 'suspended'], 'AGREEMENT_NOT_IN_FORCE', 'expiry');
      const endsAt = termEndsAt(agreement);
      if (endsAt !== null && Date.parse(occurredAt.latest) < Date.parse(endsAt)) {
        refuse(
          'EXPIRED_BEFORE_TERM_END',
          `The term runs until ${endsAt}: the agreement cannot expire at ${occurredAt.value} (end it early with TerminateAgreement)`,
          {
            endsAt,
          },
        );
      }
      return [{ type: 'AgreementExpired', data: command.data }];
    }
    case 'TerminateAgreement':
      refuseUnlessStatus(agreement, ['signed', 'in-force', 'suspended'], 'AGREEMENT_NOT_SIGNED', 'termination');
      return [{ type: 'AgreementTerminated', data: command.data }];
    case 'SupersedeAgreement': {
      refuseUnlessStatus(agreement, ['signed', 'in-force', 'suspended'], 'AGREEMENT_NOT_SIGNED', 'supersession');
      if (command.data.byAgreementId === ownAgreementId(state)) {
        refuse('SUPERSEDED_BY_ITSELF', 'An agreement cannot supersede itself', {
          byAgreementId: command.data.byAgreementId,
        });
      }
      return [{ type: 'AgreementSuperseded', data: command.data }];
    }
    default: {
      const unknown: never = command;
      throw validationFailed([
        { field: 'type', message: `${(unknown as { type: string }).type} is not an agreement command` },
      ]);
    }
  }
}

export const agreementDecider: LoadingDecider<AgreementCommand, AgreementEvent, AgreementState> = withLoader({
  streamKind: 'agreement',
  initialState: initialAgreementState,
  decide: decideAgreement,
  evolve: evolveAgreement,
  causalRank: agreementCausalRank,
});
