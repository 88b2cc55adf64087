import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { DomainEvent } from '../shared/decider';
import {
  ActorListSchema,
  ActorSchema,
  BusinessTimeStringSchema,
  DurationSchema,
  EmptyDataSchema,
  ReasonSchema,
  RecordCorrectionDataSchema,
  RetractEventDataSchema,
  SlugSchema,
  StringEnum,
  TextSchema,
} from '../shared/schemas';

export const AGREEMENT_KINDS = [
  'memorandum',
  'ceasefire',
  'framework',
  'comprehensive',
  'implementation',
  'protocol',
] as const;
export type AgreementKind = (typeof AGREEMENT_KINDS)[number];
export const AGREEMENT_STATUSES = [
  'draft',
  'adopted',
  'signed',
  'in-force',
  'suspended',
  'expired',
  'terminated',
  'superseded',
] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];
export const FINAL_AGREEMENT_STATUSES: readonly AgreementStatus[] = ['expired', 'terminated', 'superseded'];
export const PARTY_STATUSES = ['pending', 'adopted', 'signed', 'ratified', 'acceded', 'rejected', 'withdrawn'] as const;
export type PartyStatus = (typeof PARTY_STATUSES)[number];
/** A party in one of these is bound by the agreement (until it withdraws). */
export const BOUND_PARTY_STATUSES: readonly PartyStatus[] = ['adopted', 'signed', 'ratified', 'acceded'];
/** How a text is agreed without signatures. */
export const ADOPTION_METHODS = ['adoption', 'initialling', 'exchange-of-notes', 'consensus'] as const;
export type AdoptionMethod = (typeof ADOPTION_METHODS)[number];
/** What a party may hold the agreement's status to be, against the recorded one. */
export const DISPUTE_CLAIMS = [
  'draft',
  'adopted',
  'signed',
  'in-force',
  'not-in-force',
  'suspended',
  'expired',
  'terminated',
  'superseded',
  'void',
] as const;
export type DisputeClaim = (typeof DISPUTE_CLAIMS)[number];
export const RENEWALS = ['none', 'automatic', 'by-consensus'] as const;
export type Renewal = (typeof RENEWALS)[number];
export const EXTENSION_BASES = ['explicit', 'automatic', 'inferred'] as const;
export type ExtensionBasis = (typeof EXTENSION_BASES)[number];
export const PROVISION_KINDS = ['zone', 'mechanism', 'commitment'] as const;
export type ProvisionKind = (typeof PROVISION_KINDS)[number];
export const PROVISION_STATUSES = ['planned', 'operating', 'violated', 'collapsed', 'implemented'] as const;
/** What an assessment can say of a provision. */
export type AssessedProvisionStatus = (typeof PROVISION_STATUSES)[number];
/** A provision's status as the views show it: as assessed, or `ended` once the agreement ended (until assessed again). */
export const PROVISION_VIEW_STATUSES = [...PROVISION_STATUSES, 'ended'] as const;
export type ProvisionStatus = (typeof PROVISION_VIEW_STATUSES)[number];

const TITLE_MAX = 500;
const DESCRIPTION_MAX = 4000;

const obj = <T extends Parameters<typeof Type.Object>[0]>(
  properties: T,
  description: string,
  extra: Record<string, unknown> = {},
) => Type.Object(properties, { additionalProperties: false, description, ...extra });

export const agreementCommandDataSchemas = {
  DraftAgreement: obj(
    {
      title: TextSchema(TITLE_MAX),
      kind: StringEnum(AGREEMENT_KINDS),
      processId: Type.Optional(SlugSchema('The negotiation process it came out of')),
      parties: ActorListSchema(0),
    },
    'Starts the agreement: its title, kind, process and drafted parties (status pending)',
  ),
  SignAgreement: obj(
    { signatories: ActorListSchema(1), place: Type.Optional(TextSchema(200)) },
    'Signatures; a signatory not drafted as a party becomes one. Gives MemorandumSigned for a memorandum, else AgreementSigned',
  ),
  AdoptAgreement: obj(
    {
      adoptedBy: ActorListSchema(1),
      method: StringEnum(ADOPTION_METHODS),
      place: Type.Optional(TextSchema(200)),
    },
    'The text is agreed without signatures (adopted, initialled, notes exchanged, consensus): status adopted, which may enter into force like signed; adoptedBy become adopted parties',
  ),
  RatifyAgreement: obj({ party: ActorSchema }, 'A party that signed (or adopted) ratifies'),
  RecordAccession: obj(
    { party: ActorSchema },
    'A party joins an agreement already concluded (adopted or signed), or joins again after withdrawing',
  ),
  EndorseAgreement: obj(
    {
      by: ActorSchema,
      instrument: TextSchema(300, 'The instrument of the endorsement, e.g. Resolution 2231'),
      url: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://\\S+$' })),
    },
    'A third body endorses the agreement; never a change of status',
  ),
  DisputeStatus: obj(
    { party: ActorSchema, claim: StringEnum(DISPUTE_CLAIMS), reason: Type.Optional(ReasonSchema) },
    "A party's claim against the recorded status (e.g. that the termination is not valid); accepted in every status, final ones included; the agreement is contested while it is open",
  ),
  WithdrawDispute: obj({ party: ActorSchema }, 'The party withdraws its open dispute'),
  BringIntoForce: obj({}, "Entry into force; the command's occurredAt is the effective time"),
  SetTerm: obj(
    {
      duration: Type.Optional(
        DurationSchema('ISO 8601 duration, e.g. P6M: counted from `from` when given, else from entry into force'),
      ),
      from: Type.Optional(
        BusinessTimeStringSchema('With duration: when the term starts, for a term not counted from entry into force'),
      ),
      until: Type.Optional(BusinessTimeStringSchema('The term runs to the end of this period')),
      renewal: StringEnum(RENEWALS),
    },
    'The term: exactly one of duration (optionally with from) or until, and how it renews',
    { oneOf: [{ required: ['duration'] }, { required: ['until'] }] },
  ),
  ExtendTerm: obj(
    {
      until: BusinessTimeStringSchema('The new end: the term runs to the end of this period'),
      basis: StringEnum(EXTENSION_BASES),
    },
    'The term is extended',
  ),
  AddProvision: obj(
    {
      provisionId: SlugSchema(),
      kind: StringEnum(PROVISION_KINDS),
      title: TextSchema(TITLE_MAX),
      area: Type.Optional(TextSchema(TITLE_MAX)),
    },
    'A provision (a zone, a mechanism, a commitment); its status starts as planned',
  ),
  AssessProvision: obj(
    {
      provisionId: SlugSchema(),
      status: StringEnum(PROVISION_STATUSES),
      level: Type.Optional(
        Type.Integer({ minimum: 0, maximum: 3, description: 'Implementation level 0-3 (Peace Accords Matrix)' }),
      ),
    },
    "The provision's de facto status from the command's occurredAt on",
  ),
  ReportBreach: obj(
    {
      provisionId: Type.Optional(SlugSchema('The provision breached, when known')),
      allegedBy: ActorSchema,
      against: Type.Optional(ActorSchema),
      description: TextSchema(DESCRIPTION_MAX),
    },
    'A reported (alleged) breach',
  ),
  RecordRejection: obj(
    { party: ActorSchema, reason: Type.Optional(ReasonSchema) },
    'A party or stakeholder rejects the agreement; the agreement becomes contested, its status is unchanged',
  ),
  RecordWithdrawal: obj(
    { party: ActorSchema, reason: Type.Optional(ReasonSchema) },
    'A party that signed or ratified withdraws',
  ),
  SuspendAgreement: obj({ reason: Type.Optional(ReasonSchema) }, 'An agreement in force is suspended'),
  ResumeAgreement: obj({ reason: Type.Optional(ReasonSchema) }, 'A suspended agreement is in force again'),
  ExpireAgreement: obj({}, 'The agreement ends at the end of its term'),
  TerminateAgreement: obj({ reason: ReasonSchema }, 'The agreement ends early'),
  SupersedeAgreement: obj(
    { byAgreementId: SlugSchema('The agreement that replaces it') },
    'Another agreement replaces it',
  ),
  RecordCorrection: RecordCorrectionDataSchema,
  RetractEvent: RetractEventDataSchema,
} satisfies Record<string, TSchema>;

export type AgreementCommandType = keyof typeof agreementCommandDataSchemas;
export const agreementCommandTypes = Object.keys(agreementCommandDataSchemas) as AgreementCommandType[];

type DataOf<K extends AgreementCommandType> = Static<(typeof agreementCommandDataSchemas)[K]>;
export type AgreementCommandData = { [K in AgreementCommandType]: DataOf<K> };

/** A command as the decider takes it: occurredAt is business time (the API defaults it before calling). */
export type AgreementCommand = {
  [K in AgreementCommandType]: { type: K; data: DataOf<K>; occurredAt: string };
}[AgreementCommandType];

export const agreementEventTypes = [
  'AgreementDrafted',
  'AgreementAdopted',
  'MemorandumSigned',
  'AgreementSigned',
  'AgreementRatified',
  'PartyAcceded',
  'AgreementEndorsed',
  'StatusDisputed',
  'DisputeWithdrawn',
  'AgreementEnteredIntoForce',
  'TermSet',
  'TermExtended',
  'ProvisionAdded',
  'ProvisionAssessed',
  'BreachReported',
  'PartyRejected',
  'PartyWithdrew',
  'AgreementSuspended',
  'AgreementResumed',
  'AgreementExpired',
  'AgreementTerminated',
  'AgreementSuperseded',
  'EventCorrected',
  'EventRetracted',
] as const;
export type AgreementEventType = (typeof agreementEventTypes)[number];

/** Which events each command can give (SignAgreement: one of the two, by kind). */
export const agreementCommandEvents: Record<AgreementCommandType, AgreementEventType[]> = {
  DraftAgreement: ['AgreementDrafted'],
  SignAgreement: ['MemorandumSigned', 'AgreementSigned'],
  AdoptAgreement: ['AgreementAdopted'],
  RatifyAgreement: ['AgreementRatified'],
  RecordAccession: ['PartyAcceded'],
  EndorseAgreement: ['AgreementEndorsed'],
  DisputeStatus: ['StatusDisputed'],
  WithdrawDispute: ['DisputeWithdrawn'],
  BringIntoForce: ['AgreementEnteredIntoForce'],
  SetTerm: ['TermSet'],
  ExtendTerm: ['TermExtended'],
  AddProvision: ['ProvisionAdded'],
  AssessProvision: ['ProvisionAssessed'],
  ReportBreach: ['BreachReported'],
  RecordRejection: ['PartyRejected'],
  RecordWithdrawal: ['PartyWithdrew'],
  SuspendAgreement: ['AgreementSuspended'],
  ResumeAgreement: ['AgreementResumed'],
  ExpireAgreement: ['AgreementExpired'],
  TerminateAgreement: ['AgreementTerminated'],
  SupersedeAgreement: ['AgreementSuperseded'],
  RecordCorrection: ['EventCorrected'],
  RetractEvent: ['EventRetracted'],
};

export const TERM_STARTS = ['entry-into-force', 'given-date'] as const;
export type TermStart = (typeof TERM_STARTS)[number];

/**
 * TermSet, schema version 2: what a duration counts from is said, never implied. Exactly one of
 * - `until`: the term runs to the end of that period;
 * - `duration` with `countedFrom: 'entry-into-force'`: from the earliest instant of entry into
 *   force, or of the first signature while not in force (the only reading of a v1 duration);
 * - `duration` with `countedFrom: 'given-date'` and `from`: from the earliest instant of `from`.
 * Version 1 had no countedFrom / from (its upcaster adds `countedFrom: 'entry-into-force'`).
 */
export const TermSetV2DataSchema = obj(
  {
    duration: Type.Optional(DurationSchema('ISO 8601 duration, counted as countedFrom says')),
    countedFrom: Type.Optional(StringEnum(TERM_STARTS)),
    from: Type.Optional(BusinessTimeStringSchema('When the term starts (countedFrom given-date)')),
    until: Type.Optional(BusinessTimeStringSchema('The term runs to the end of this period')),
    renewal: StringEnum(RENEWALS),
  },
  'The term (schema version 2): until, or a duration and what it counts from; how it renews',
  { oneOf: [{ required: ['duration', 'countedFrom'] }, { required: ['until'] }] },
);

/** Event data is the command's data, as given (TermSet excepted: its start is made explicit): the event keeps what the operator recorded. */
export const agreementEventDataSchemas = {
  AgreementDrafted: agreementCommandDataSchemas.DraftAgreement,
  MemorandumSigned: agreementCommandDataSchemas.SignAgreement,
  AgreementSigned: agreementCommandDataSchemas.SignAgreement,
  AgreementAdopted: agreementCommandDataSchemas.AdoptAgreement,
  AgreementRatified: agreementCommandDataSchemas.RatifyAgreement,
  PartyAcceded: agreementCommandDataSchemas.RecordAccession,
  AgreementEndorsed: agreementCommandDataSchemas.EndorseAgreement,
  StatusDisputed: agreementCommandDataSchemas.DisputeStatus,
  DisputeWithdrawn: agreementCommandDataSchemas.WithdrawDispute,
  AgreementEnteredIntoForce: EmptyDataSchema,
  TermSet: TermSetV2DataSchema,
  TermExtended: agreementCommandDataSchemas.ExtendTerm,
  ProvisionAdded: agreementCommandDataSchemas.AddProvision,
  ProvisionAssessed: agreementCommandDataSchemas.AssessProvision,
  BreachReported: agreementCommandDataSchemas.ReportBreach,
  PartyRejected: agreementCommandDataSchemas.RecordRejection,
  PartyWithdrew: agreementCommandDataSchemas.RecordWithdrawal,
  AgreementSuspended: agreementCommandDataSchemas.SuspendAgreement,
  AgreementResumed: agreementCommandDataSchemas.ResumeAgreement,
  AgreementExpired: EmptyDataSchema,
  AgreementTerminated: agreementCommandDataSchemas.TerminateAgreement,
  AgreementSuperseded: agreementCommandDataSchemas.SupersedeAgreement,
  EventCorrected: RecordCorrectionDataSchema,
  EventRetracted: RetractEventDataSchema,
} satisfies Record<AgreementEventType, TSchema>;

export type AgreementEventData = { [T in AgreementEventType]: Static<(typeof agreementEventDataSchemas)[T]> };

/** An event of the agreement stream, its data typed by its type (derived from the schemas above). */
export type AgreementEvent = { [T in AgreementEventType]: DomainEvent<T, AgreementEventData[T]> }[AgreementEventType];

/**
 * Fields a correction may not change, because rules key on them (uniqueness, "must have signed").
 * To change one, retract the event and record it again. Actors are compared by id: a name may be corrected.
 */
export const agreementIdentityFields: Partial<Record<AgreementEventType, string[]>> = {
  MemorandumSigned: ['signatories'],
  AgreementSigned: ['signatories'],
  AgreementAdopted: ['adoptedBy'],
  AgreementRatified: ['party'],
  PartyAcceded: ['party'],
  AgreementEndorsed: ['by'],
  StatusDisputed: ['party'],
  DisputeWithdrawn: ['party'],
  ProvisionAdded: ['provisionId'],
  ProvisionAssessed: ['provisionId'],
  BreachReported: ['provisionId'],
  PartyRejected: ['party'],
  PartyWithdrew: ['party'],
};
