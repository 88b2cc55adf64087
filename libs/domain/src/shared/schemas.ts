import {
  FormatRegistry,
  Kind,
  type Static,
  type TArray,
  type TObject,
  type TOptional,
  type TString,
  type TUnsafe,
  Type,
  TypeRegistry,
} from '@sinclair/typebox';
import { tryParseBusinessTime } from './business-time';
import { tryParseDuration } from './duration';
import {
  ACTOR_ID_MAX_LENGTH,
  ACTOR_ID_PATTERN,
  ACTOR_NAME_MAX_LENGTH,
  SLUG_PATTERN,
  UUID_PATTERN,
} from './identifiers';
import { STATE_CODE_PATTERN } from './state-codes';

/**
 * Building blocks of the command and event schemas. They are plain JSON Schema (TypeBox only adds
 * symbol keys that JSON Schema validators ignore). Two custom formats must be registered by the
 * validator that uses them: `business-time` (businessTimeFormat) and `iso-duration` (isoDurationFormat).
 */

export const BUSINESS_TIME_FORMAT = 'business-time';
export const ISO_DURATION_FORMAT = 'iso-duration';

/** For ajv.addFormat('business-time', { type: 'string', validate: businessTimeFormat }). */
export function businessTimeFormat(value: string): boolean {
  return tryParseBusinessTime(value).ok;
}

/** For ajv.addFormat('iso-duration', { type: 'string', validate: isoDurationFormat }). */
export function isoDurationFormat(value: string): boolean {
  return tryParseDuration(value).ok;
}

const STRING_ENUM_KIND = 'StringEnum';

/** `{ type: 'string', enum: [...] }`: validators report "must be one of", which a union of literals does not. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: STRING_ENUM_KIND, type: 'string', enum: [...values] });
}

/** Lets TypeBox's own Value.Check understand the schemas (the domain uses it to check corrected event data). */
export function registerTypeboxExtensions(): void {
  if (!TypeRegistry.Has(STRING_ENUM_KIND)) {
    TypeRegistry.Set<{ enum: string[] }>(
      STRING_ENUM_KIND,
      (schema, value) => typeof value === 'string' && schema.enum.includes(value),
    );
  }
  if (!FormatRegistry.Has(BUSINESS_TIME_FORMAT)) FormatRegistry.Set(BUSINESS_TIME_FORMAT, businessTimeFormat);
  if (!FormatRegistry.Has(ISO_DURATION_FORMAT)) FormatRegistry.Set(ISO_DURATION_FORMAT, isoDurationFormat);
}

export const SlugSchema = (description?: string) =>
  Type.String({ pattern: SLUG_PATTERN, minLength: 3, maxLength: 100, ...(description ? { description } : {}) });

/** Free text: at least one visible character. */
export const TextSchema = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '\\S', ...(description ? { description } : {}) });

const ActorIdSchema = Type.String({
  pattern: ACTOR_ID_PATTERN,
  maxLength: ACTOR_ID_MAX_LENGTH,
  description:
    'ISO 3166-1 alpha-3 (RUS) or a former ISO 3166-3 code (SUN), or a typed slug: igo:, group:, gov:, person:, org:, ngo: (igo:un)',
});

const OptionalStateName = () =>
  Type.Optional(TextSchema(ACTOR_NAME_MAX_LENGTH, "Required, except for a state: then it defaults to the code list's name"));

/** Every actor but a state must be named (`else`); TypeBox's own checker ignores it, so the command path says it too. */
const nameRequiredUnlessState = {
  if: { properties: { id: { type: 'string', pattern: STATE_CODE_PATTERN } } },
  else: { required: ['name'] },
};

/** A member of a group of actors (one level: a member has no members of its own). */
const actorMemberAsSent = Type.Object(
  { id: ActorIdSchema, name: OptionalStateName() },
  { additionalProperties: false, description: 'A member of a group acting as one', ...nameRequiredUnlessState },
);

/**
 * A state's name may be left out: the command path fills it from the ISO 3166 code list (see
 * state-codes.ts, which also refuses unknown codes), members of a group included. The static
 * types keep `name: string`: they type what `decide` receives and what events hold, which is the
 * actor after the command path named it.
 */
const actorSchemaAsSent = Type.Object(
  {
    id: ActorIdSchema,
    name: OptionalStateName(),
    members: Type.Optional(
      Type.Array(actorMemberAsSent, {
        minItems: 1,
        maxItems: 200,
        description: 'For a group acting as one (group:e3 = FRA, DEU, GBR): party filters and per-party answers match its members too',
      }),
    ),
  },
  { additionalProperties: false, description: 'A state, organisation, group, delegation or person', ...nameRequiredUnlessState },
);
type NamedActorMember = TObject<{ id: TString; name: TString }>;
export const ActorMemberSchema = actorMemberAsSent as unknown as NamedActorMember;
export const ActorSchema = actorSchemaAsSent as unknown as TObject<{
  id: TString;
  name: TString;
  members: TOptional<TArray<NamedActorMember>>;
}>;
export type Actor = Static<typeof ActorSchema>;

export const ActorListSchema = (minItems: number, maxItems = 200) => Type.Array(ActorSchema, { minItems, maxItems });

export const BusinessTimeStringSchema = (description?: string) =>
  Type.String({ format: BUSINESS_TIME_FORMAT, maxLength: 100, ...(description ? { description } : {}) });

export const DurationSchema = (description?: string) =>
  Type.String({ format: ISO_DURATION_FORMAT, maxLength: 64, ...(description ? { description } : {}) });

export const UuidSchema = (description?: string) =>
  Type.String({ pattern: UUID_PATTERN, ...(description ? { description } : {}) });

export const ReasonSchema = TextSchema(2000);

/** Where an event's information comes from (event metadata, not data). */
export const SourceSchema = Type.Object(
  {
    publisher: TextSchema(200),
    url: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://\\S+$' })),
    publishedAt: Type.Optional(BusinessTimeStringSchema()),
    quote: Type.Optional(TextSchema(4000)),
  },
  { additionalProperties: false },
);
export type Source = Static<typeof SourceSchema>;

/** Both streams. */
export const RecordCorrectionDataSchema = Type.Object(
  {
    targetEventId: UuidSchema('The event being corrected; an event of this stream'),
    occurredAt: Type.Optional(BusinessTimeStringSchema("The target's corrected business time")),
    data: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
        maxProperties: 50,
        description: "Corrected fields of the target's data, merged over it (shallow)",
      }),
    ),
    reason: ReasonSchema,
  },
  { additionalProperties: false },
);

export type RecordCorrectionData = Static<typeof RecordCorrectionDataSchema>;

export const RetractEventDataSchema = Type.Object(
  {
    targetEventId: UuidSchema('The event being retracted; an event of this stream'),
    reason: ReasonSchema,
  },
  { additionalProperties: false },
);

export type RetractEventData = Static<typeof RetractEventDataSchema>;

export const EmptyDataSchema = Type.Object({}, { additionalProperties: false });
