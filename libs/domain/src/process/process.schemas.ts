import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { DomainEvent } from '../shared/decider';
import {
  ActorListSchema,
  ActorSchema,
  BusinessTimeStringSchema,
  ReasonSchema,
  RecordCorrectionDataSchema,
  RetractEventDataSchema,
  SlugSchema,
  StringEnum,
  TextSchema,
} from '../shared/schemas';
import { STATE_CODE_PATTERN } from '../shared/state-codes';

export const PARTICIPANT_ROLES = ['party', 'guarantor', 'mediator', 'observer', 'host'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];
export const PARTICIPANT_STATUSES = ['active', 'withdrawn'] as const;
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];
export const ROUND_STATUSES = ['scheduled', 'postponed', 'convened', 'concluded', 'cancelled'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];
export const STATEMENT_KINDS = ['joint-statement', 'communique', 'remarks'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];
export const PROCESS_STATUSES = ['open', 'closed'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];
export const WORKING_GROUP_STATUSES = ['active', 'dissolved'] as const;
export type WorkingGroupStatus = (typeof WORKING_GROUP_STATUSES)[number];
export const DOCUMENT_STATUSES = ['tabled', 'adopted'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

const NAME_MAX = 500;
const TEXT_MAX = 4000;

const obj = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description: string) =>
  Type.Object(properties, { additionalProperties: false, description });

export const processCommandDataSchemas = {
  OpenProcess: obj(
    {
      name: TextSchema(NAME_MAX),
      conflict: Type.Optional(TextSchema(NAME_MAX)),
      hostCountry: Type.Optional(Type.String({ pattern: STATE_CODE_PATTERN, description: 'ISO 3166-1 alpha-3, or a former ISO 3166-3 code' })),
    },
    'Starts a negotiation process',
  ),
  AdmitParticipant: obj(
    { actor: ActorSchema, role: StringEnum(PARTICIPANT_ROLES), delegationHead: Type.Optional(ActorSchema) },
    'An actor takes part in the process in a role (one actor may hold several roles)',
  ),
  RecordParticipantWithdrawal: obj(
    { actor: ActorSchema, reason: Type.Optional(ReasonSchema) },
    'A participant leaves the process (all its roles)',
  ),
  ScheduleTalks: obj(
    {
      roundId: SlugSchema(),
      ordinal: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
      venue: TextSchema(200),
      window: BusinessTimeStringSchema('When the round is to be held, often partial (2017-08)'),
    },
    "A round of talks is announced; the command's occurredAt is when it was announced",
  ),
  PostponeTalks: obj(
    {
      roundId: SlugSchema(),
      newWindow: BusinessTimeStringSchema('The later window'),
      reason: Type.Optional(ReasonSchema),
    },
    'A scheduled round moves to a later window',
  ),
  ConveneTalks: obj(
    { roundId: SlugSchema(), delegations: ActorListSchema(0), observers: ActorListSchema(0) },
    "The round opens; the command's occurredAt is when",
  ),
  ConcludeTalks: obj({ roundId: SlugSchema(), outcome: TextSchema(TEXT_MAX) }, 'A convened round ends'),
  CancelTalks: obj(
    { roundId: SlugSchema(), reason: Type.Optional(ReasonSchema) },
    'A round that has not concluded is called off',
  ),
  FormWorkingGroup: obj(
    {
      workingGroupId: SlugSchema(),
      name: TextSchema(NAME_MAX),
      mandate: TextSchema(TEXT_MAX),
      members: ActorListSchema(0),
      agreementIds: Type.Array(SlugSchema(), {
        maxItems: 100,
        uniqueItems: true,
        description: 'The agreements it serves',
      }),
    },
    'A working group is formed',
  ),
  DissolveWorkingGroup: obj(
    { workingGroupId: SlugSchema(), reason: Type.Optional(ReasonSchema) },
    'An active working group is dissolved',
  ),
  TableDocument: obj(
    {
      documentId: SlugSchema(),
      title: TextSchema(NAME_MAX),
      topic: TextSchema(NAME_MAX),
      tabledBy: Type.Optional(ActorSchema),
    },
    'A document is put on the table',
  ),
  AdoptDocument: obj(
    { documentId: SlugSchema(), agreementId: Type.Optional(SlugSchema('The agreement it became or became part of')) },
    'A tabled document is adopted',
  ),
  IssueStatement: obj(
    { issuers: ActorListSchema(1, 100), kind: StringEnum(STATEMENT_KINDS), summary: TextSchema(TEXT_MAX) },
    'A statement is issued',
  ),
  CloseProcess: obj({ reason: Type.Optional(ReasonSchema) }, 'The process ends; only corrections are accepted after'),
  RecordCorrection: RecordCorrectionDataSchema,
  RetractEvent: RetractEventDataSchema,
} satisfies Record<string, TSchema>;

export type ProcessCommandType = keyof typeof processCommandDataSchemas;
export const processCommandTypes = Object.keys(processCommandDataSchemas) as ProcessCommandType[];

type DataOf<K extends ProcessCommandType> = Static<(typeof processCommandDataSchemas)[K]>;
export type ProcessCommandData = { [K in ProcessCommandType]: DataOf<K> };

export type ProcessCommand = {
  [K in ProcessCommandType]: { type: K; data: DataOf<K>; occurredAt: string };
}[ProcessCommandType];

export const processEventTypes = [
  'ProcessOpened',
  'ParticipantAdmitted',
  'ParticipantWithdrew',
  'TalksScheduled',
  'TalksPostponed',
  'TalksConvened',
  'TalksConcluded',
  'TalksCancelled',
  'WorkingGroupFormed',
  'WorkingGroupDissolved',
  'DocumentTabled',
  'DocumentAdopted',
  'StatementIssued',
  'ProcessClosed',
  'EventCorrected',
  'EventRetracted',
] as const;
export type ProcessEventType = (typeof processEventTypes)[number];

export const processCommandEvents: Record<ProcessCommandType, ProcessEventType[]> = {
  OpenProcess: ['ProcessOpened'],
  AdmitParticipant: ['ParticipantAdmitted'],
  RecordParticipantWithdrawal: ['ParticipantWithdrew'],
  ScheduleTalks: ['TalksScheduled'],
  PostponeTalks: ['TalksPostponed'],
  ConveneTalks: ['TalksConvened'],
  ConcludeTalks: ['TalksConcluded'],
  CancelTalks: ['TalksCancelled'],
  FormWorkingGroup: ['WorkingGroupFormed'],
  DissolveWorkingGroup: ['WorkingGroupDissolved'],
  TableDocument: ['DocumentTabled'],
  AdoptDocument: ['DocumentAdopted'],
  IssueStatement: ['StatementIssued'],
  CloseProcess: ['ProcessClosed'],
  RecordCorrection: ['EventCorrected'],
  RetractEvent: ['EventRetracted'],
};

export const processEventDataSchemas = {
  ProcessOpened: processCommandDataSchemas.OpenProcess,
  ParticipantAdmitted: processCommandDataSchemas.AdmitParticipant,
  ParticipantWithdrew: processCommandDataSchemas.RecordParticipantWithdrawal,
  TalksScheduled: processCommandDataSchemas.ScheduleTalks,
  TalksPostponed: processCommandDataSchemas.PostponeTalks,
  TalksConvened: processCommandDataSchemas.ConveneTalks,
  TalksConcluded: processCommandDataSchemas.ConcludeTalks,
  TalksCancelled: processCommandDataSchemas.CancelTalks,
  WorkingGroupFormed: processCommandDataSchemas.FormWorkingGroup,
  WorkingGroupDissolved: processCommandDataSchemas.DissolveWorkingGroup,
  DocumentTabled: processCommandDataSchemas.TableDocument,
  DocumentAdopted: processCommandDataSchemas.AdoptDocument,
  StatementIssued: processCommandDataSchemas.IssueStatement,
  ProcessClosed: processCommandDataSchemas.CloseProcess,
  EventCorrected: RecordCorrectionDataSchema,
  EventRetracted: RetractEventDataSchema,
} satisfies Record<ProcessEventType, TSchema>;

export type ProcessEventData = { [T in ProcessEventType]: Static<(typeof processEventDataSchemas)[T]> };

/** An event of the process stream, its data typed by its type (derived from the schemas above). */
export type ProcessEvent = { [T in ProcessEventType]: DomainEvent<T, ProcessEventData[T]> }[ProcessEventType];

/** Fields a correction may not change (rules key on them); retract and record again instead. */
export const processIdentityFields: Partial<Record<ProcessEventType, string[]>> = {
  ParticipantAdmitted: ['actor', 'role'],
  ParticipantWithdrew: ['actor'],
  TalksScheduled: ['roundId'],
  TalksPostponed: ['roundId'],
  TalksConvened: ['roundId'],
  TalksConcluded: ['roundId'],
  TalksCancelled: ['roundId'],
  WorkingGroupFormed: ['workingGroupId'],
  WorkingGroupDissolved: ['workingGroupId'],
  DocumentTabled: ['documentId'],
  DocumentAdopted: ['documentId'],
};
