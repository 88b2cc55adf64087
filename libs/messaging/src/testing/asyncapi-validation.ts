// Test support (excluded from the build): validates Kafka messages against docs/asyncapi.yaml, as
// a consumer's validator would (ajv, the two custom formats of the domain registered).
import Ajv, { type ValidateFunction } from 'ajv';
import { businessTimeFormat, isoDurationFormat } from '@agreements/domain';

const DOC_ID = 'https://agreements.invalid/asyncapi.json';

export interface AsyncApiValidators {
  /** The ce_type values the document knows, each with its message name. */
  messageNamesByCeType: Map<string, string>;
  /** [] when the message matches the document; else what is wrong. */
  eventProblems(key: string, headers: Record<string, string>, value: unknown): string[];
  statusProblems(key: string, value: unknown): string[];
}

export function asyncApiValidators(doc: any): AsyncApiValidators {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('business-time', { type: 'string', validate: businessTimeFormat });
  ajv.addFormat('iso-duration', { type: 'string', validate: isoDurationFormat });
  ajv.addSchema({ $id: DOC_ID, components: doc.components });
  const compiled = new Map<string, ValidateFunction>();
  const validator = (pointer: string): ValidateFunction => {
    let validate = compiled.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
      compiled.set(pointer, validate);
    }
    return validate;
  };
  const check = (what: string, pointer: string, value: unknown): string[] => {
    const validate = validator(pointer);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${what}${e.instancePath} ${e.message ?? ''}`.trim());
  };

  const messageNamesByCeType = new Map<string, string>();
  for (const ref of Object.values(doc.channels.agreementEvents.messages) as Array<{ $ref: string }>) {
    const name = ref.$ref.split('/').pop()!;
    messageNamesByCeType.set(doc.components.messages[name]['x-ce-type'], name);
  }

  return {
    messageNamesByCeType,
    eventProblems(key, headers, value) {
      const name = messageNamesByCeType.get(headers.ce_type);
      if (name === undefined) return [`ce_type ${headers.ce_type} is not in the document`];
      const base = `/components/messages/${name}`;
      const problems = [
        ...check('headers', `${base}/headers`, headers),
        ...check('value', `${base}/payload`, value),
        ...check('key', `${base}/bindings/kafka/key`, key),
      ];
      if (headers.ce_subject !== key) problems.push(`ce_subject ${headers.ce_subject} is not the key ${key}`);
      return problems;
    },
    statusProblems(key, value) {
      const problems = check('key', '/components/messages/AgreementStatus/bindings/kafka/key', key);
      if (value === null) return problems;
      problems.push(...check('value', '/components/messages/AgreementStatus/payload', value));
      if ((value as { id?: unknown }).id !== key) problems.push(`id ${(value as { id?: unknown }).id} is not the key ${key}`);
      return problems;
    },
  };
}
