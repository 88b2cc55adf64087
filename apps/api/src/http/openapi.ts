import { agreementCommandDataSchemas, processCommandDataSchemas } from '@agreements/domain';
import { commandEnvelopeSchema } from '@agreements/application';

const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema));

/**
 * Schemas the OpenAPI document needs beyond what the decorators describe: one per command type
 * (generated from the same schemas that validate requests, so the docs cannot drift), the
 * accepted-command answer and the error body.
 */
export function openApiComponents(): Record<string, any> {
  const components: Record<string, any> = {};
  for (const [kind, schemas] of [
    ['agreement', agreementCommandDataSchemas],
    ['process', processCommandDataSchemas],
  ] as const) {
    const refs: Array<{ $ref: string }> = [];
    for (const [type, dataSchema] of Object.entries(schemas)) {
      components[type] = plain(commandEnvelopeSchema(type, dataSchema as never));
      refs.push({ $ref: `#/components/schemas/${type}` });
    }
    components[`${kind}-command`] = {
      oneOf: refs,
      discriminator: {
        propertyName: 'type',
        mapping: Object.fromEntries(Object.keys(schemas).map((t) => [t, `#/components/schemas/${t}`])),
      },
    };
  }
  components.CommandAccepted = {
    type: 'object',
    required: ['streamId', 'revision', 'position', 'events'],
    properties: {
      streamId: { type: 'string', examples: ['agreement-astana-deescalation-memorandum'] },
      revision: { type: 'integer', description: "The stream's last revision (0 for the first event)" },
      position: { type: 'string', description: 'Global position of the last event: opaque; use it in Min-Position and fromPosition' },
      events: {
        type: 'array',
        items: {
          type: 'object',
          properties: { eventId: { type: 'string' }, type: { type: 'string' }, revision: { type: 'integer' } },
        },
      },
    },
  };
  components.Error = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', examples: ['VALIDATION_FAILED', 'REVISION_CONFLICT', 'ALREADY_SIGNED'] },
          message: { type: 'string' },
          details: {},
        },
      },
    },
  };
  return components;
}
