import Ajv from 'ajv';
import scenario from '../../../examples/astana-2017.json';
import {
  agreementCommandDataSchemas,
  agreementCommandTypes,
  agreementEventTypes,
  allEventTypes,
  businessTimeFormat,
  commandTypesByStreamKind,
  eventDataSchemas,
  eventSchemaVersions,
  isActorId,
  isEventType,
  isoDurationFormat,
  isSlug,
  parseStreamId,
  processCommandDataSchemas,
  processCommandTypes,
  processEventTypes,
  SourceSchema,
  streamIdOf,
} from './index';

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  ajv.addFormat('business-time', { type: 'string', validate: businessTimeFormat });
  ajv.addFormat('iso-duration', { type: 'string', validate: isoDurationFormat });
  return ajv;
}
const ajv = createAjv();
const schemas: Record<string, Record<string, object>> = {
  agreement: agreementCommandDataSchemas,
  process: processCommandDataSchemas,
};

function errorsOf(kind: 'agreement' | 'process', type: string, data: unknown): string[] {
  const validate = ajv.compile(schemas[kind][type]);
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
}

/** Every object in a schema, nested ones included. */
function objectsOf(schema: any): any[] {
  if (!schema || typeof schema !== 'object') return [];
  const own = schema.type === 'object' ? [schema] : [];
  return [
    ...own,
    ...Object.values(schema).flatMap((child) => (Array.isArray(child) ? child.flatMap(objectsOf) : objectsOf(child))),
  ];
}

describe('command schemas', () => {
  it('cover every command of the catalogue, per stream kind', () => {
    expect(agreementCommandTypes).toEqual([
      'DraftAgreement',
      'SignAgreement',
      'AdoptAgreement',
      'RatifyAgreement',
      'RecordAccession',
      'EndorseAgreement',
      'DisputeStatus',
      'WithdrawDispute',
      'BringIntoForce',
      'SetTerm',
      'ExtendTerm',
      'AddProvision',
      'AssessProvision',
      'ReportBreach',
      'RecordRejection',
      'RecordWithdrawal',
      'SuspendAgreement',
      'ResumeAgreement',
      'ExpireAgreement',
      'TerminateAgreement',
      'SupersedeAgreement',
      'RecordCorrection',
      'RetractEvent',
    ]);
    expect(processCommandTypes).toEqual([
      'OpenProcess',
      'AdmitParticipant',
      'RecordParticipantWithdrawal',
      'ScheduleTalks',
      'PostponeTalks',
      'ConveneTalks',
      'ConcludeTalks',
      'CancelTalks',
      'FormWorkingGroup',
      'DissolveWorkingGroup',
      'TableDocument',
      'AdoptDocument',
      'IssueStatement',
      'CloseProcess',
      'RecordCorrection',
      'RetractEvent',
    ]);
    expect(commandTypesByStreamKind).toEqual({ agreement: agreementCommandTypes, process: processCommandTypes });
  });

  it.each([...agreementCommandTypes.map((t) => ['agreement', t]), ...processCommandTypes.map((t) => ['process', t])])(
    '%s %s compiles in strict ajv and refuses unknown fields at every level',
    (kind, type) => {
      const schema = schemas[kind][type];
      expect(() => ajv.compile(schema)).not.toThrow();
      for (const object of objectsOf(schema)) {
        // The correction's data is free-form on purpose: it is checked against the target's schema.
        if (object.patternProperties) continue;
        expect(object.additionalProperties).toBe(false);
      }
    },
  );

  it('accept every command of the Astana scenario', () => {
    for (const step of scenario.steps) {
      const kind = step.path.startsWith('/v1/agreements/') ? 'agreement' : 'process';
      expect([step.body.type, errorsOf(kind, step.body.type, step.body.data)]).toEqual([step.body.type, []]);
      expect(businessTimeFormat(step.body.occurredAt)).toBe(true);
    }
  });

  it.each([
    ['agreement', 'DraftAgreement', { title: 'T', kind: 'memorandum', parties: [], extra: 1 }, ' additionalProperties'],
    ['agreement', 'DraftAgreement', { title: 'T', parties: [] }, ' required'],
    ['agreement', 'DraftAgreement', { title: 'T', kind: 'treaty', parties: [] }, '/kind enum'],
    ['agreement', 'DraftAgreement', { title: '   ', kind: 'memorandum', parties: [] }, '/title pattern'],
    [
      'agreement',
      'DraftAgreement',
      { title: 'T', kind: 'memorandum', processId: 'Astana', parties: [] },
      '/processId pattern',
    ],
    ['agreement', 'DraftAgreement', { title: 'T'.repeat(501), kind: 'memorandum', parties: [] }, '/title maxLength'],
    ['agreement', 'SignAgreement', { signatories: [] }, '/signatories minItems'],
    ['agreement', 'SignAgreement', { signatories: [{ id: 'rus', name: 'Russia' }] }, '/signatories/0/id pattern'],
    ['agreement', 'SignAgreement', { signatories: [{ id: 'RUS', name: '' }] }, '/signatories/0/name minLength'],
    [
      'agreement',
      'SignAgreement',
      { signatories: [{ id: 'RUS', name: 'R', flag: 'x' }] },
      '/signatories/0 additionalProperties',
    ],
    ['agreement', 'RatifyAgreement', { party: { id: 'militia:x', name: 'X' } }, '/party/id pattern'],
    ['agreement', 'SetTerm', { duration: 'P6M', until: '2018', renewal: 'none' }, ' oneOf'],
    ['agreement', 'SetTerm', { renewal: 'none' }, ' oneOf'],
    ['agreement', 'SetTerm', { duration: '6 months', renewal: 'none' }, '/duration format'],
    ['agreement', 'SetTerm', { duration: 'P6M', renewal: 'sometimes' }, '/renewal enum'],
    ['agreement', 'ExtendTerm', { until: '2017-02-29', basis: 'explicit' }, '/until format'],
    ['agreement', 'AssessProvision', { provisionId: 'idlib', status: 'operating', level: 4 }, '/level maximum'],
    ['agreement', 'AssessProvision', { provisionId: 'idlib', status: 'operating', level: 1.5 }, '/level type'],
    ['agreement', 'RecordCorrection', { targetEventId: 'not-a-uuid', reason: 'r' }, '/targetEventId pattern'],
    ['agreement', 'RetractEvent', { targetEventId: '00000000-0000-4000-8000-000000000001' }, ' required'],
    ['process', 'OpenProcess', { name: 'Astana', hostCountry: 'Kazakhstan' }, '/hostCountry pattern'],
    ['process', 'AdmitParticipant', { actor: { id: 'RUS', name: 'Russia' }, role: 'sponsor' }, '/role enum'],
    ['process', 'ScheduleTalks', { roundId: 'round-6', venue: 'Astana', window: 'end of August' }, '/window format'],
    ['process', 'ScheduleTalks', { roundId: 'r', venue: 'Astana', window: '2017-08' }, '/roundId pattern'],
    [
      'process',
      'FormWorkingGroup',
      { workingGroupId: 'wg', name: 'n', mandate: 'm', members: [], agreementIds: ['a-1', 'a-1'] },
      '/agreementIds uniqueItems',
    ],
    [
      'process',
      'IssueStatement',
      { issuers: [{ id: 'RUS', name: 'Russia' }], kind: 'tweet', summary: 's' },
      '/kind enum',
    ],
  ] as const)('%s %s refuses %j (%s)', (kind, type, data, expected) => {
    expect(errorsOf(kind, type, data)).toContain(expected);
  });

  it('the source schema takes a publisher with an optional http(s) url, publication date and quote', () => {
    const validate = ajv.compile(SourceSchema);
    expect(
      validate({ publisher: 'Xinhua', url: 'http://www.xinhuanet.com/x.htm', publishedAt: '2017-07-06', quote: 'q' }),
    ).toBe(true);
    expect(validate({ publisher: 'Xinhua', url: 'ftp://x' })).toBe(false);
    expect(validate({ url: 'http://x' })).toBe(false);
  });
});

describe('event catalogue', () => {
  it('lists every event type once, with a data schema and its schema version (1, TermSet 2)', () => {
    expect(new Set(allEventTypes).size).toBe(allEventTypes.length);
    expect(allEventTypes).toHaveLength(agreementEventTypes.length + processEventTypes.length - 2);
    expect(Object.keys(eventDataSchemas).sort()).toEqual([...allEventTypes].sort());
    expect(Object.keys(eventSchemaVersions).sort()).toEqual([...allEventTypes].sort());
    const changed = Object.entries(eventSchemaVersions).filter(([, version]) => version !== 1);
    expect(changed).toEqual([['TermSet', 2]]);
    for (const type of allEventTypes) expect(() => ajv.compile(eventDataSchemas[type])).not.toThrow();
  });

  it('knows its event types', () => {
    expect(isEventType('MemorandumSigned')).toBe(true);
    expect(isEventType('TalksScheduled')).toBe(true);
    expect(isEventType('MemorandumSinged')).toBe(false);
  });
});

describe('identifiers', () => {
  it.each(['astana', 'astana-deescalation-memorandum', 'round-5', 'a1b', '123'])('%s is a slug', (id) =>
    expect(isSlug(id)).toBe(true),
  );
  it.each(['ab', 'Astana', '-astana', 'astana-', 'as_tana', 'a'.repeat(101), 'astana talks'])(
    '%s is not a slug',
    (id) => expect(isSlug(id)).toBe(false),
  );

  it.each([
    'RUS',
    'USA',
    'igo:un',
    'group:syrian-opposition',
    'gov:syrian-government',
    'person:staffan-de-mistura',
    'org:icrc',
    'ngo:crisis-group',
  ])('%s is an actor id', (id) => expect(isActorId(id)).toBe(true));
  it.each(['rus', 'RU', 'RUSS', 'un', 'igo:UN', 'igo:', 'igo:-un', 'militia:x', 'person:a', 'group:syrian opposition'])(
    '%s is not an actor id',
    (id) => expect(isActorId(id)).toBe(false),
  );

  it('names streams agreement-{id} and process-{id}, and reads them back', () => {
    expect(streamIdOf('agreement', 'astana-deescalation-memorandum')).toBe('agreement-astana-deescalation-memorandum');
    expect(parseStreamId('process-astana')).toEqual({ kind: 'process', id: 'astana' });
    expect(parseStreamId('agreement-astana-deescalation-memorandum')).toEqual({
      kind: 'agreement',
      id: 'astana-deescalation-memorandum',
    });
    expect(parseStreamId('$all')).toBeUndefined();
    expect(parseStreamId('process-X')).toBeUndefined();
  });
});
