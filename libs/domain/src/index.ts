// @agreements/domain: the pure core. No framework, no I/O, no clock, no randomness.
export {
  type BusinessTime,
  type BusinessTimePrecision,
  type PointPrecision,
  type ParseResult,
  InvalidBusinessTimeError,
  tryParseBusinessTime,
  parseBusinessTime,
  asOfInstant,
  isEntirelyBefore,
  compareBusinessTimes,
  tookEffectBy,
} from './shared/business-time';
export * from './shared/duration';
export * from './shared/identifiers';
export * from './shared/state-codes';
export * from './shared/domain-error';
export * from './shared/decider';
export * from './shared/corrections';
export * from './shared/load-stream';
export * from './shared/resumable-fold';
export * from './shared/upcasting';
export * from './shared/business-order';
export {
  ActorSchema,
  SourceSchema,
  RecordCorrectionDataSchema,
  RetractEventDataSchema,
  BUSINESS_TIME_FORMAT,
  ISO_DURATION_FORMAT,
  businessTimeFormat,
  isoDurationFormat,
  type Source,
  type RecordCorrectionData,
  type RetractEventData,
} from './shared/schemas';
export { type CorrectionEvent } from './shared/correction-rules';

export * from './agreement/agreement.schemas';
export {
  type Agreement,
  type AgreementState,
  type AgreementFact,
  type Party,
  type Provision,
  type Term,
  type TermExtension,
  type Breach,
  type Dispute,
  type Endorsement,
  type PartyStatusInterval,
  initialAgreementState,
  isFinalStatus,
  termEndsAt,
  applyAgreementEvent,
  evolveAgreement,
} from './agreement/agreement.state';
export { agreementDecider } from './agreement/agreement.decider';
export { agreementUpcasters, termSetV1ToV2 } from './agreement/agreement.upcasters';
export { agreementCausalRank } from './agreement/agreement.causal-rank';
export { isBound, isBoundParty, partiesMatching } from './agreement/agreement.parties';
export { isInForceForParty, isInForceForPartyOn, partyStatusAt, partyStatusesAt } from './agreement/agreement.in-force';
export { checkAgreementFact, type CheckedFact } from './agreement/agreement.rules';
export { judgeCorrection, judgeInBusinessTime, type FactCheck } from './shared/business-time-decision';
export * from './agreement/agreement.view';

export * from './process/process.schemas';
export {
  type Process,
  type ProcessState,
  type ProcessFact,
  type Participant,
  type Round,
  type Postponement,
  type WorkingGroup,
  type TabledDocument,
  type Statement,
  initialProcessState,
  applyProcessEvent,
  evolveProcess,
} from './process/process.state';
export { processDecider } from './process/process.decider';
export * from './process/process.view';

export * from './catalogue';
