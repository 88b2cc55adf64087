import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { Type, type TSchema } from '@sinclair/typebox';
import { businessTimeFormat, isoDurationFormat, tryParseBusinessTime } from '@agreements/domain';
import { FieldError, validationFailed } from '../outcome/refusal';
import { nameStates } from './state-actors';

export const STREAM_ID_PATTERN = '^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$';
const STREAM_ID = new RegExp(STREAM_ID_PATTERN);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAjv(options: { allErrors?: boolean } = {}): Ajv {
  const ajv = new Ajv({ allErrors: options.allErrors ?? true, strict: false, coerceTypes: false, useDefaults: false });
  ajv.addFormat('uuid', UUID);
  ajv.addFormat('business-time', { type: 'string', validate: businessTimeFormat });
  ajv.addFormat('iso-duration', { type: 'string', validate: isoDurationFormat });
  ajv.addFormat('uri', {
    type: 'string',
    validate: (value: string) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
  });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (value: string) => tryParseBusinessTime(value).ok && value.includes('T'),
  });
  return ajv;
}

export const SourceSchema = Type.Object(
  {
    publisher: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
    publishedAt: Type.Optional(Type.String({ format: 'business-time', maxLength: 64 })),
    quote: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
  },
  { additionalProperties: false, description: 'Where the operator learnt it: a publisher, optionally a URL, publication date and quote' },
);

/** The envelope of every command, with `type` and `data` fixed per command type. */
export function commandEnvelopeSchema(type: string, dataSchema: TSchema): TSchema {
  return Type.Object(
    {
      type: Type.Literal(type),
      commandId: Type.String({ format: 'uuid', description: 'Chosen by the client; makes the command idempotent' }),
      expectedRevision: Type.Optional(
        Type.Integer({ minimum: -1, description: 'The stream revision last seen; -1: the stream must not exist yet' }),
      ),
      occurredAt: Type.Optional(
        Type.String({
          format: 'business-time',
          maxLength: 64,
          description: 'Business time: 2017, 2017-08, 2017-05-04, an RFC 3339 date-time or an interval A/B. Defaults to the time it is recorded.',
        }),
      ),
      sources: Type.Optional(Type.Array(SourceSchema, { maxItems: 50 })),
      data: dataSchema,
    },
    { additionalProperties: false, title: type },
  );
}

function fieldOf(path: string): string {
  // Ajv's instancePath is a JSON pointer (/data/signatories/0/id); clients read data.signatories[0].id.
  return path
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

export function toFieldErrors(errors: ErrorObject[] | null | undefined, data: unknown): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // An actor without a name that needs one fails `required` (reported) and then `if` (noise).
    if (e.keyword === 'if') continue;
    let field = fieldOf(e.instancePath);
    let message = e.message ?? 'is not valid';
    if (e.keyword === 'additionalProperties') {
      field = field ? `${field}.${e.params.additionalProperty}` : e.params.additionalProperty;
      message = 'is not a known field';
    } else if (e.keyword === 'required') {
      field = field ? `${field}.${e.params.missingProperty}` : e.params.missingProperty;
      message = 'is required';
    } else if (e.keyword === 'format' && e.params.format === 'business-time') {
      const value = pointerGet(data, e.instancePath);
      const parsed = typeof value === 'string' ? tryParseBusinessTime(value) : undefined;
      message = parsed && !parsed.ok ? parsed.reason : 'must be a date: 2017, 2017-08, 2017-05-04, RFC 3339 or A/B';
    } else if (e.keyword === 'format' && e.params.format === 'iso-duration') {
      message = 'must be an ISO 8601 duration such as P6M or P1Y';
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify(e.params.allowedValue)}`;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    }
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field: field || 'body', message });
  }
  return out;
}

function pointerGet(data: unknown, pointer: string): unknown {
  let cur: any = data;
  for (const part of pointer.split('/').slice(1)) cur = cur?.[part];
  return cur;
}

export interface ValidatedCommand {
  type: string;
  commandId: string;
  expectedRevision?: number;
  occurredAt?: string;
  sources?: Array<{ publisher: string; url?: string; publishedAt?: string; quote?: string }>;
  data: Record<string, unknown>;
}

/** Bodies with more values than this get their first problem only: listing every one costs too much. */
export const MAX_VALUES_LISTED = 2000;

/** The number of values in a JSON value, counted until it passes `limit`. */
function valueCountOver(value: unknown, limit: number): boolean {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (++count > limit) return true;
    if (v !== null && typeof v === 'object') for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
  }
  return false;
}

/** Validates a command body for one kind of stream: first its type, then the whole envelope for that type. */
export class CommandValidator {
  private readonly validators = new Map<string, ValidateFunction>();
  /** The same schemas stopping at the first error: what every body goes through first. */
  private readonly firstErrorValidators = new Map<string, ValidateFunction>();

  constructor(
    private readonly streamKind: string,
    private readonly dataSchemas: Record<string, TSchema>,
    ajv: Ajv = createAjv(),
    firstErrorAjv: Ajv = createAjv({ allErrors: false }),
  ) {
    for (const [type, schema] of Object.entries(dataSchemas)) {
      this.validators.set(type, ajv.compile(commandEnvelopeSchema(type, schema)));
      this.firstErrorValidators.set(type, firstErrorAjv.compile(commandEnvelopeSchema(type, schema)));
    }
  }

  get types(): string[] {
    return [...this.validators.keys()];
  }

  validate(body: unknown): ValidatedCommand {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw validationFailed([{ field: 'body', message: 'must be a JSON object' }]);
    }
    const type = (body as { type?: unknown }).type;
    if (typeof type !== 'string') {
      throw validationFailed([{ field: 'type', message: type === undefined ? 'is required' : 'must be a string' }]);
    }
    const validate = this.validators.get(type);
    if (!validate) {
      throw validationFailed([
        { field: 'type', message: `${type} is not a command for a ${this.streamKind}; expected one of ${this.types.join(', ')}` },
      ]);
    }
    // A valid body passes the first-error validator once. An invalid one is validated again for
    // every problem only when it is small: 60,000 empty parties must not cost 60,000 errors.
    const first = this.firstErrorValidators.get(type)!;
    if (first(body)) return body as ValidatedCommand;
    if (valueCountOver(body, MAX_VALUES_LISTED)) {
      const problems = toFieldErrors(first.errors, body);
      throw validationFailed(problems, `The request is not valid (first problem only, the body holds more than ${MAX_VALUES_LISTED} values): ${problems.map((d) => `${d.field}: ${d.message}`).join('; ')}`);
    }
    validate(body);
    throw validationFailed(toFieldErrors(validate.errors, body));
  }

  /**
   * The command as it is decided and stored: states checked against the ISO 3166 code list and
   * named where the client left the name out (see state-actors.ts). A copy: `command` stays as sent.
   */
  withStatesNamed(command: ValidatedCommand): ValidatedCommand {
    const { data, problems } = nameStates(command.data, this.dataSchemas[command.type]);
    if (problems.length > 0) throw validationFailed(problems);
    return { ...command, data };
  }
}

export function checkStreamId(field: string, value: string): void {
  if (!STREAM_ID.test(value)) {
    throw validationFailed([
      { field, message: 'must be 3 to 100 lower-case letters, digits or dashes, starting and ending with a letter or digit' },
    ]);
  }
}
