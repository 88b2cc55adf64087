import { judgeCorrection, judgeInBusinessTime } from '../shared/business-time-decision';
import { decideCorrection } from '../shared/correction-rules';
import type { EventEnvelope, LoadedStream } from '../shared/decider';
import { upcastEnvelope } from '../shared/upcasting';
import { agreementUpcasters } from './agreement.upcasters';
import { DomainError, validationFailed } from '../shared/domain-error';
import { tryParseDuration } from '../shared/duration';
import { parseStreamId } from '../shared/identifiers';
import { type LoadingDecider, withLoader } from '../shared/load-stream';
import { readBusinessTime, refuseDuplicateActors } from '../shared/rule-helpers';
import { agreementCausalRank } from './agreement.causal-rank';
import { agreementCrossFieldProblems } from './agreement.data-rules';
import { type CheckedFact, checkAgreementFact } from './agreement.rules';
import { explainedTooEarly } from './agreement.too-early';
import {
  type AgreementCommand,
  type AgreementCommandData,
  type AgreementEvent,
  type AgreementEventData,
  agreementEventDataSchemas,
  agreementIdentityFields,
} from './agreement.schemas';
import { type Agreement, type AgreementState, evolveAgreement, initialAgreementState } from './agreement.state';

function refuse(code: string, message: string, details?: Record<string, unknown>): never {
  throw new DomainError(code, message, details);
}

function ownAgreementId(state: AgreementState): string | undefined {
  const parsed = state.streamId ? parseStreamId(state.streamId) : undefined;
  return parsed?.kind === 'agreement' ? parsed.id : undefined;
}

/** The one rule check, on a state: what decide and the later-fact check share. */
function checkFact(state: AgreementState, fact: EventEnvelope): void {
  checkAgreementFact(state.agreement, fact as unknown as CheckedFact);
}

/** Input the rules rely on, checked once per command (the API's schemas say the same, so it answers 400 first). */
function refuseInvalidInput(command: AgreementCommand, state: AgreementState): void {
  switch (command.type) {
    case 'AdoptAgreement':
      return refuseDuplicateActors(command.data.adoptedBy);
    case 'SignAgreement':
      return refuseDuplicateActors(command.data.signatories);
    case 'SetTerm': {
      const problems = agreementCrossFieldProblems('SetTerm', command.data);
      if (command.data.duration !== undefined) {
        const duration = tryParseDuration(command.data.duration);
        if (!duration.ok) problems.push({ field: 'data.duration', message: duration.reason });
      }
      if (problems.length > 0) throw validationFailed(problems);
      if (command.data.until !== undefined) readBusinessTime(command.data.until, 'data.until');
      if (command.data.from !== undefined) readBusinessTime(command.data.from, 'data.from');
      return;
    }
    case 'ExtendTerm':
      readBusinessTime(command.data.until, 'data.until');
      return;
    case 'SupersedeAgreement':
      if (command.data.byAgreementId === ownAgreementId(state)) {
        refuse('SUPERSEDED_BY_ITSELF', 'An agreement cannot supersede itself', { byAgreementId: command.data.byAgreementId });
      }
      return;
    default:
      return;
  }
}

/** The fact a command states (SignAgreement: a MemorandumSigned for a memorandum). */
function factOf(command: Exclude<AgreementCommand, { type: 'DraftAgreement' | 'RecordCorrection' | 'RetractEvent' }>, agreement: Agreement): AgreementEvent {
  switch (command.type) {
    case 'AdoptAgreement':
      return { type: 'AgreementAdopted', data: command.data };
    case 'SignAgreement':
      return { type: agreement.kind === 'memorandum' ? 'MemorandumSigned' : 'AgreementSigned', data: command.data };
    case 'RatifyAgreement':
      return { type: 'AgreementRatified', data: command.data };
    case 'RecordAccession':
      return { type: 'PartyAcceded', data: command.data };
    case 'EndorseAgreement':
      return { type: 'AgreementEndorsed', data: command.data };
    case 'DisputeStatus':
      return { type: 'StatusDisputed', data: command.data };
    case 'WithdrawDispute':
      return { type: 'DisputeWithdrawn', data: command.data };
    case 'BringIntoForce':
      return { type: 'AgreementEnteredIntoForce', data: command.data };
    case 'SetTerm':
      return { type: 'TermSet', data: termSetData(command.data) };
    case 'ExtendTerm':
      return { type: 'TermExtended', data: command.data };
    case 'AddProvision':
      return { type: 'ProvisionAdded', data: command.data };
    case 'AssessProvision':
      return { type: 'ProvisionAssessed', data: command.data };
    case 'ReportBreach':
      return { type: 'BreachReported', data: command.data };
    case 'RecordRejection':
      return { type: 'PartyRejected', data: command.data };
    case 'RecordWithdrawal':
      return { type: 'PartyWithdrew', data: command.data };
    case 'SuspendAgreement':
      return { type: 'AgreementSuspended', data: command.data };
    case 'ResumeAgreement':
      return { type: 'AgreementResumed', data: command.data };
    case 'ExpireAgreement':
      return { type: 'AgreementExpired', data: command.data };
    case 'TerminateAgreement':
      return { type: 'AgreementTerminated', data: command.data };
    case 'SupersedeAgreement':
      return { type: 'AgreementSuperseded', data: command.data };
    default: {
      const unknown: never = command;
      throw validationFailed([{ field: 'type', message: `${(unknown as { type: string }).type} is not an agreement command` }]);
    }
  }
}

/**
 * A command is judged in business time: against the agreement as it stood at the command's
 * occurredAt, and refused when it would make a later recorded fact impossible (see
 * judgeInBusinessTime). Corrections and retractions are re-checked the same way.
 */
function decideAgreement(command: AgreementCommand, stream: LoadedStream<AgreementState>): AgreementEvent[] {
  const { state } = stream;
  readBusinessTime(command.occurredAt, 'occurredAt');

  if (command.type === 'DraftAgreement') {
    if (state.agreement) refuse('AGREEMENT_EXISTS', 'The agreement was already drafted: an agreement is drafted once');
    refuseDuplicateActors(command.data.parties);
    return [{ type: 'AgreementDrafted', data: command.data }];
  }
  if (stream.recorded.length === 0) {
    throw new DomainError('AGREEMENT_NOT_FOUND', `There is no such agreement: draft it first (DraftAgreement)`, undefined, 404);
  }
  if (command.type === 'RecordCorrection' || command.type === 'RetractEvent') {
    // Allowed in every status, final ones included: the record of what happened can always be put right.
    const events = decideCorrection(command, stream, {
      eventDataSchemas: agreementEventDataSchemas,
      identityFields: agreementIdentityFields,
      crossFieldProblems: (type, data) => agreementCrossFieldProblems(type, data, 'data.data'),
      upcast: (event) => upcastEnvelope(agreementUpcasters, event),
    });
    if (!retractsTheDrafting(command, stream)) judgeCorrection(agreementDecider, stream, events[0], checkFact);
    return events;
  }
  const agreement = state.agreement;
  if (!agreement) {
    throw new DomainError('AGREEMENT_NOT_FOUND', 'The drafting of this agreement was retracted: draft it again first', undefined, 404);
  }
  refuseInvalidInput(command, state);
  const events = [factOf(command, agreement)];
  try {
    judgeInBusinessTime(agreementDecider, stream, events, command.occurredAt, checkFact);
  } catch (error) {
    throw explainedTooEarly(error, command, agreement);
  }
  return events;
}

/** Retracting the drafting withdraws the whole record: its other facts are no longer shown, so none of them is re-checked. */
function retractsTheDrafting(command: AgreementCommand, stream: LoadedStream<AgreementState>): boolean {
  if (command.type !== 'RetractEvent') return false;
  const targetId = command.data.targetEventId.toLowerCase();
  return stream.recorded.some((event) => event.eventId.toLowerCase() === targetId && event.type === 'AgreementDrafted');
}

export const agreementDecider: LoadingDecider<AgreementCommand, AgreementEvent, AgreementState> = withLoader({
  streamKind: 'agreement',
  initialState: initialAgreementState,
  decide: decideAgreement,
  evolve: evolveAgreement,
  causalRank: agreementCausalRank,
  upcasters: agreementUpcasters,
});

/** TermSet (v2) says what a duration counts from: a given `from`, else entry into force. */
function termSetData(data: AgreementCommandData['SetTerm']): AgreementEventData['TermSet'] {
  const { duration, from, until, renewal } = data;
  if (duration === undefined) return { until, renewal };
  return from === undefined
    ? { duration, countedFrom: 'entry-into-force', renewal }
    : { duration, countedFrom: 'given-date', from, renewal };
}
