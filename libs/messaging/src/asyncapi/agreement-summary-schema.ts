import {
  ACTOR_ID_PATTERN,
  AGREEMENT_KINDS,
  AGREEMENT_STATUSES,
  BUSINESS_TIME_FORMAT,
  DISPUTE_CLAIMS,
  EXTENSION_BASES,
  ISO_DURATION_FORMAT,
  PARTY_STATUSES,
  RENEWALS,
  SLUG_PATTERN,
  TERM_STARTS,
  UUID_PATTERN,
} from '@agreements/domain';

// The JSON Schema of the status topic's value (AgreementSummary in contracts/agreement-summary.ts).
// Fields are only ever added: a consumer of an older version of this schema must ignore fields
// it does not know (docs/consumers.md).

const actorId = { type: 'string', pattern: ACTOR_ID_PATTERN };
const name = { type: 'string', minLength: 1 };
const businessTime = (description?: string) => ({ type: 'string', format: BUSINESS_TIME_FORMAT, ...(description ? { description } : {}) });
const eventId = { type: 'string', pattern: UUID_PATTERN, description: 'The event that says it (ce_id on agreements.events.v1)' };

const members = {
  type: 'array',
  minItems: 1,
  description: 'A group acting as one (group:e3 = FRA, DEU, GBR): who is in it',
  items: { type: 'object', additionalProperties: false, required: ['id', 'name'], properties: { id: actorId, name } },
};

/** An actor as events name it: a state, organisation, group (with its members) or person. */
const actor = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: { id: actorId, name, members },
};

const term = {
  description: 'null until a term is set',
  oneOf: [
    { type: 'null' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['endsAt', 'renewal', 'extensions'],
      properties: {
        duration: { type: 'string', format: ISO_DURATION_FORMAT, description: 'ISO 8601 duration, counted as countedFrom says' },
        countedFrom: { type: 'string', enum: [...TERM_STARTS], description: 'With duration: entry-into-force, or given-date (from)' },
        from: businessTime('With countedFrom given-date: when the term starts'),
        until: businessTime(),
        endsAt: { type: ['string', 'null'], description: 'Last instant the term covers (ISO UTC); null until it can be computed' },
        renewal: { type: 'string', enum: [...RENEWALS] },
        extensions: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['until', 'basis', 'occurredAt'],
            properties: { until: businessTime(), basis: { type: 'string', enum: [...EXTENSION_BASES] }, occurredAt: businessTime() },
          },
        },
      },
    },
  ],
};

const V2_ABSENT_BEFORE = 'Absent on summaries published before domain v2 (an agreement not changed since keeps its older summary until it changes or is republished)';

export function agreementSummarySchema(): Record<string, unknown> {
  return {
    type: 'object',
    description:
      'The agreement now: the same values as GET /v1/agreements/{id} for these fields. Keep the one with the highest revision when reading outside the compacted order. Fields may be added in later versions: ignore the ones you do not know.',
    additionalProperties: false,
    required: ['id', 'title', 'kind', 'status', 'contested', 'parties', 'term', 'revision', 'position'],
    properties: {
      id: { type: 'string', pattern: SLUG_PATTERN, description: 'The agreement id (the message key)' },
      title: { type: 'string', minLength: 1 },
      kind: { type: 'string', enum: [...AGREEMENT_KINDS] },
      status: {
        type: 'string',
        enum: [...AGREEMENT_STATUSES],
        description: 'De jure status; adopted: the text was agreed without signatures (it may enter into force like a signed one)',
      },
      adoptedAt: {
        type: ['string', 'null'],
        format: BUSINESS_TIME_FORMAT,
        description: `When the text was adopted (AgreementAdopted, business time as written), else null. ${V2_ABSENT_BEFORE}`,
      },
      contested: { type: 'boolean', description: 'True once any party rejected it, and while a dispute is open; the status is unchanged by it' },
      disputes: {
        type: 'array',
        description: `The open claims of parties against the recorded status (StatusDisputed not yet withdrawn), at most one per party. ${V2_ABSENT_BEFORE}`,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['party', 'claim', 'since', 'eventId'],
          properties: {
            party: actor,
            claim: { type: 'string', enum: [...DISPUTE_CLAIMS], description: 'What the party holds the status to be' },
            reason: { type: 'string' },
            since: businessTime('Business time of the claim, as written'),
            eventId,
          },
        },
      },
      endorsements: {
        type: 'array',
        description: `Endorsements by third bodies (a Security Council resolution): never a change of status. ${V2_ABSENT_BEFORE}`,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['by', 'instrument', 'at', 'eventId'],
          properties: { by: actor, instrument: { type: 'string', minLength: 1 }, url: { type: 'string' }, at: businessTime('Business time of the endorsement, as written'), eventId },
        },
      },
      parties: {
        type: 'array',
        description: 'Each party and its status now. A party is bound while adopted, signed, ratified or acceded; a group party carries its members (absent before domain v2). The status history per party is in GET /v1/agreements/{id}.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'name', 'status'],
          properties: { id: actorId, name, status: { type: 'string', enum: [...PARTY_STATUSES] }, members },
        },
      },
      term,
      revision: { type: 'integer', minimum: 0, description: 'Revision of the last event of the agreement\'s stream folded into it' },
      position: { type: 'string', minLength: 1, description: 'Global position of that event (as ce_position)' },
    },
  };
}
