import {
  agreementEventTypes,
  allEventTypes,
  BUSINESS_TIME_FORMAT,
  eventDataSchemas,
  eventSchemaVersions,
  processEventTypes,
  SLUG_PATTERN,
  UUID_PATTERN,
} from '@agreements/domain';
import { CE_HEADERS, CE_SPEC_VERSION, ceDataSchemaOf, ceTypeOf, CONTENT_TYPE_HEADER, JSON_CONTENT_TYPE } from '../contracts/cloud-events';
import { agreementSummarySchema } from './agreement-summary-schema';
import { DEFAULT_CE_SOURCE, DEFAULT_PARTITIONS, EVENTS_TOPIC, LEDGER_TOPIC, STATUS_TOPIC } from '../kafka/config';

const KAFKA_BINDING_VERSION = '0.5.0';
const SLUG_BODY = SLUG_PATTERN.slice(1, -1);
const STREAM_ID_PATTERN = `^(?:agreement|process)-${SLUG_BODY}$`;
// RFC 3339 date-time, as the stores write recordedAt (UTC, "Z" or an offset).
const RFC3339_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})$';

/** The name of an event's message in the document: `MemorandumSigned.v1`, the ce_type without its prefix. */
export function messageNameOf(eventType: string, schemaVersion: number): string {
  return `${eventType}.v${schemaVersion}`;
}

/** A TypeBox schema as plain JSON (TypeBox marks its schemas with symbol keys, which JSON drops). */
function plain(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

function streamKindsOf(eventType: string): Array<'agreement' | 'process'> {
  const kinds: Array<'agreement' | 'process'> = [];
  if ((agreementEventTypes as readonly string[]).includes(eventType)) kinds.push('agreement');
  if ((processEventTypes as readonly string[]).includes(eventType)) kinds.push('process');
  return kinds;
}

function cloudEventHeadersSchema(): Record<string, unknown> {
  const text = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', minLength: 1, description, ...extra });
  return {
    type: 'object',
    description:
      'CloudEvents 1.0 attributes in the Kafka protocol binding, binary mode: every attribute is a `ce_`-prefixed header (UTF-8 string). Other headers may appear and are to be ignored.',
    required: [
      CE_HEADERS.specversion,
      CE_HEADERS.id,
      CE_HEADERS.type,
      CE_HEADERS.source,
      CE_HEADERS.subject,
      CE_HEADERS.time,
      CONTENT_TYPE_HEADER,
      CE_HEADERS.occurredat,
      CE_HEADERS.revision,
      CE_HEADERS.position,
      CE_HEADERS.correlationid,
      CE_HEADERS.causationid,
      CE_HEADERS.actor,
    ],
    properties: {
      [CE_HEADERS.specversion]: { type: 'string', const: CE_SPEC_VERSION },
      [CE_HEADERS.id]: text('The event id (a UUID), unique across the store. A message seen twice (after a relay crash, or a replay) has the same ce_id: drop duplicates by it.', { pattern: UUID_PATTERN }),
      [CE_HEADERS.type]: text('agreements.<EventType>.v<schemaVersion>: which payload schema applies', { pattern: '^agreements\\.[A-Za-z][A-Za-z0-9]*\\.v[0-9]+$' }),
      [CE_HEADERS.dataschema]: text(
        "urn:agreements:schema:<EventType>.v<schemaVersion>: the payload's schema, components/schemas/<EventType>.v<schemaVersion> of this document. Always the type's current version: events stored in an older one are upcast before they are published. Absent on messages published before schema versions changed (all v1)",
        { pattern: '^urn:agreements:schema:[A-Za-z][A-Za-z0-9]*\\.v[0-9]+$' },
      ),
      [CE_HEADERS.source]: text(`The producing system, "${DEFAULT_CE_SOURCE}" unless configured otherwise`),
      [CE_HEADERS.subject]: text('The stream id, as the message key: agreement-<agreementId> or process-<processId>', { pattern: STREAM_ID_PATTERN }),
      [CE_HEADERS.time]: text('When the event store recorded the event (RFC 3339, UTC): recorded time', { pattern: RFC3339_PATTERN }),
      [CONTENT_TYPE_HEADER]: { type: 'string', const: JSON_CONTENT_TYPE },
      [CE_HEADERS.occurredat]: text(
        `Business time exactly as the operator wrote it, possibly partial: 2017, 2017-08, 2017-05-04, an RFC 3339 date-time, or an interval 2017-07-04/2017-07-05 (format "${BUSINESS_TIME_FORMAT}")`,
        { format: BUSINESS_TIME_FORMAT },
      ),
      [CE_HEADERS.revision]: text('The event\'s revision in its stream (0 for the first): a stream\'s events arrive in this order', { pattern: '^(0|[1-9][0-9]*)$' }),
      [CE_HEADERS.position]: text('The event\'s position in the store\'s global order (opaque; "republish --from" takes it)'),
      [CE_HEADERS.correlationid]: text('Correlation id of the request that produced the event'),
      [CE_HEADERS.causationid]: text('Id of the command that caused the event'),
      [CE_HEADERS.actor]: text('The authenticated caller who recorded it'),
    },
  };
}

/**
 * The AsyncAPI 3.0 description of the Kafka contract (/work/shared/spec/kafka.md), built from the
 * domain's own event schemas so it cannot drift from the code: docs/asyncapi.yaml is this, and a
 * test fails when the file differs (UPDATE_ASYNCAPI=1 rewrites it).
 */
export function buildAsyncApiDocument(options: { partitions?: number } = {}): Record<string, unknown> {
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  const eventMessages: Record<string, unknown> = {};
  const eventSchemas: Record<string, unknown> = {};
  const channelEventMessages: Record<string, unknown> = {};
  for (const eventType of allEventTypes) {
    const version = eventSchemaVersions[eventType];
    const name = messageNameOf(eventType, version);
    const payload = plain(eventDataSchemas[eventType]);
    const kinds = streamKindsOf(eventType);
    eventSchemas[name] = { title: name, ...payload };
    eventMessages[name] = {
      name: eventType,
      title: `${eventType} v${version}`,
      summary: typeof payload.description === 'string' ? payload.description : `${eventType} (schema version ${version})`,
      contentType: JSON_CONTENT_TYPE,
      headers: {
        allOf: [
          { $ref: '#/components/schemas/CloudEventHeaders' },
          {
            type: 'object',
            properties: {
              [CE_HEADERS.type]: { const: ceTypeOf(eventType, version) },
              [CE_HEADERS.dataschema]: { const: ceDataSchemaOf(eventType, version) },
            },
          },
        ],
      },
      payload: { $ref: `#/components/schemas/${name}` },
      bindings: {
        kafka: {
          key: { $ref: kinds.length === 2 ? '#/components/schemas/StreamId' : `#/components/schemas/${kinds[0] === 'agreement' ? 'AgreementStreamId' : 'ProcessStreamId'}` },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
      'x-ce-type': ceTypeOf(eventType, version),
      'x-stream-kinds': kinds,
    };
    channelEventMessages[name] = { $ref: `#/components/messages/${name}` };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Agreements: events and status on Kafka',
      version: '1.0.0',
      description: [
        'What downstream services can rely on. A consumer example: docs/consumers.md.',
        '',
        `- \`${EVENTS_TOPIC}\`: every stored event, at least once, after it was stored. Key: the stream id; value: the event data (JSON); CloudEvents 1.0 binary-mode headers (\`ce_*\`). The events of one stream arrive in revision order (one key, one partition, idempotent producer). Duplicates are possible after a relay crash or a replay: drop them by \`ce_id\`.`,
        `- \`${STATUS_TOPIC}\`: compacted; key: the agreement id; value: the agreement's current summary: status, adoption, contested and the open disputes, endorsements, parties with their status (groups with their members), term (a null value, a tombstone, when its drafting was retracted). Read from the beginning, it gives the current state of every agreement.`,
        `- \`${LEDGER_TOPIC}\`: one partition, kept forever; key: \`head\`; value: each signed tree head of the ledger (docs/auditing.md), published by the API process when it signs it. Copies of the heads outside the server: a rewrite of history is caught by a consistency proof against any earlier head.`,
        '',
        'The topic names get the deployment\'s `KAFKA_TOPIC_PREFIX` in front (empty by default). Payload schemas use two custom string formats: `business-time` (2017, 2017-08, 2017-05-04, an RFC 3339 date-time, or an interval a/b) and `iso-duration` (ISO 8601, e.g. P6M). A validator that does not know them should treat them as plain strings.',
        '',
        'This file is generated from the domain\'s schemas (libs/messaging/src/asyncapi/document.ts); regenerate it with `UPDATE_ASYNCAPI=1 npx jest libs/messaging/src/asyncapi`.',
      ].join('\n'),
    },
    defaultContentType: JSON_CONTENT_TYPE,
    servers: {
      development: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The development broker of scripts/kafka.sh (KAFKA_BROKERS in other environments)',
      },
    },
    channels: {
      agreementEvents: {
        address: EVENTS_TOPIC,
        title: 'Every stored event',
        description: 'One message per stored event, in the store\'s global order per partition. Partitioned by stream id.',
        messages: channelEventMessages,
        bindings: {
          kafka: {
            topic: EVENTS_TOPIC,
            partitions,
            topicConfiguration: { 'cleanup.policy': ['delete'] },
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      },
      agreementStatus: {
        address: STATUS_TOPIC,
        title: 'Current summary of every agreement',
        description: 'A new summary after every batch of events that changed an agreement; compacted to the latest per agreement.',
        messages: {
          AgreementStatus: { $ref: '#/components/messages/AgreementStatus' },
          SignedTreeHead: {
          name: 'SignedTreeHead',
          title: 'Signed tree head',
          contentType: JSON_CONTENT_TYPE,
          headers: {
            type: 'object',
            properties: { [CONTENT_TYPE_HEADER]: { type: 'string', const: JSON_CONTENT_TYPE } },
          },
          payload: { $ref: '#/components/schemas/SignedTreeHead' },
          bindings: { kafka: { key: { type: 'string', const: 'head' }, bindingVersion: KAFKA_BINDING_VERSION } },
        },
        AgreementStatusRemoved: { $ref: '#/components/messages/AgreementStatusRemoved' },
        },
        bindings: {
          kafka: {
            topic: STATUS_TOPIC,
            partitions,
            topicConfiguration: { 'cleanup.policy': ['compact'] },
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      },
      ledgerHeads: {
        address: LEDGER_TOPIC,
        title: "The ledger's signed tree heads",
        description: 'Every head the server signs, in order (one partition). Keep them: each is a promise about the whole log up to its tree size.',
        messages: { SignedTreeHead: { $ref: '#/components/messages/SignedTreeHead' } },
        bindings: {
          kafka: {
            topic: LEDGER_TOPIC,
            partitions: 1,
            topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': -1 },
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      },
    },
    operations: {
      receiveAgreementEvents: {
        action: 'receive',
        title: 'Consume the events',
        description: 'Deduplicate by ce_id; order holds per key (stream).',
        channel: { $ref: '#/channels/agreementEvents' },
      },
      receiveAgreementStatus: {
        action: 'receive',
        title: 'Consume the agreement summaries',
        channel: { $ref: '#/channels/agreementStatus' },
      },
      receiveLedgerHeads: {
        action: 'receive',
        title: 'Keep copies of the signed tree heads',
        description: 'Check each with GET /v1/ledger/proof/consistency against the one before (docs/auditing.md).',
        channel: { $ref: '#/channels/ledgerHeads' },
      },
    },
    components: {
      schemas: {
        CloudEventHeaders: cloudEventHeadersSchema(),
        StreamId: { type: 'string', pattern: STREAM_ID_PATTERN, description: 'agreement-<agreementId> or process-<processId>' },
        AgreementStreamId: { type: 'string', pattern: `^agreement-${SLUG_BODY}$` },
        ProcessStreamId: { type: 'string', pattern: `^process-${SLUG_BODY}$` },
        AgreementId: { type: 'string', pattern: SLUG_PATTERN },
        AgreementSummary: agreementSummarySchema(),
        SignedTreeHead: {
          type: 'object',
          additionalProperties: false,
          required: ['treeSize', 'rootHash', 'timestamp', 'keyId', 'signature'],
          properties: {
            treeSize: { type: 'integer', minimum: 0, description: 'How many events (leaves) the tree holds' },
            rootHash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'RFC 9162 Merkle tree hash (SHA-256), lower-case hex' },
            timestamp: { type: 'string', pattern: RFC3339_PATTERN, description: 'When it was signed (RFC 3339, UTC)' },
            keyId: { type: 'string', pattern: '^[0-9a-f]{64}$', description: "SHA-256 hex of the signing key's SPKI DER bytes (GET /v1/ledger/key)" },
            signature: { type: 'string', description: 'Ed25519 over the RFC 8785 bytes of { treeSize, rootHash, timestamp }, base64' },
          },
        },
        ...eventSchemas,
      },
      messages: {
        ...eventMessages,
        AgreementStatus: {
          name: 'AgreementStatus',
          title: 'Agreement summary',
          contentType: JSON_CONTENT_TYPE,
          headers: {
            type: 'object',
            properties: { [CONTENT_TYPE_HEADER]: { type: 'string', const: JSON_CONTENT_TYPE } },
          },
          payload: { $ref: '#/components/schemas/AgreementSummary' },
          bindings: { kafka: { key: { $ref: '#/components/schemas/AgreementId' }, bindingVersion: KAFKA_BINDING_VERSION } },
        },
        SignedTreeHead: {
          name: 'SignedTreeHead',
          title: 'Signed tree head',
          contentType: JSON_CONTENT_TYPE,
          headers: {
            type: 'object',
            properties: { [CONTENT_TYPE_HEADER]: { type: 'string', const: JSON_CONTENT_TYPE } },
          },
          payload: { $ref: '#/components/schemas/SignedTreeHead' },
          bindings: { kafka: { key: { type: 'string', const: 'head' }, bindingVersion: KAFKA_BINDING_VERSION } },
        },
        AgreementStatusRemoved: {
          name: 'AgreementStatusRemoved',
          title: 'Agreement gone (tombstone)',
          summary: 'A null value: the drafting of the agreement was retracted, so it does not exist (GET answers 404). Compaction then drops the key.',
          payload: { type: 'null' },
          bindings: { kafka: { key: { $ref: '#/components/schemas/AgreementId' }, bindingVersion: KAFKA_BINDING_VERSION } },
        },
      },
    },
  };
}
