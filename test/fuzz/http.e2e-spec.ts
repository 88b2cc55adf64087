import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { agreementCommandDataSchemas, processCommandDataSchemas } from '@agreements/domain';
import { commandEnvelopeSchema } from '@agreements/application';
import { TOKENS, TestApp, startTestApp } from '../support/app';
import { hostileValue, mutatedArb } from './schema-arbitraries';

/**
 * Property-based fuzzing of the HTTP API (issue 11): hostile command bodies generated from the
 * commands' JSON Schemas on both command endpoints, hostile paths, query strings and headers on
 * every query and history route. Whatever is sent: never a 5xx, every error in the contract's
 * shape and under 64 KiB, and nothing stored for a refused command.
 *
 * `npm test` runs FUZZ_RUNS (default 300) cases per property; `npm run fuzz` runs 100,000.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const MAX_ERROR_BYTES = 64 * 1024;
const timeoutFor = (runs: number) => 60_000 + runs * 60;

const schemasOf = (dataSchemas: Record<string, unknown>) =>
  Object.entries(dataSchemas).map(([type, schema]) => commandEnvelopeSchema(type, schema as never) as unknown as Record<string, unknown>);

const ids = fc.oneof(
  { arbitrary: fc.constantFrom('fuzz-agreement', 'fuzz-process', 'astana', 'a-b'), weight: 6 },
  { arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent), weight: 2 },
  { arbitrary: fc.constantFrom('%E0%A4%A', '%', '%zz', 'a'.repeat(101), 'a'.repeat(5000), '..', '%2e%2e', 'A-B', '-ab'), weight: 2 },
);

/** Header values fetch will carry (visible ASCII and spaces): hostile in content, not in transport. */
const headerText = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim()),
  fc.constantFrom('"3"', 'W/"0"', '"-1"', '"99999999999999999999"', '*', '', 'a'.repeat(200)),
);

const tokens = fc.oneof(
  { arbitrary: fc.constant('right'), weight: 10 },
  { arbitrary: fc.constantFrom('reader', 'auditor', 'wrong', 'none'), weight: 1 },
);

const rawBodies = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('{', '{"type":', '[]', 'null', '""', '{"type":"DraftAgreement",,}', '\ufeff{}', '{"__proto__":{"x":1}}'),
  fc.integer({ min: 500, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

interface Answer {
  status: number;
  text: string;
  json: any;
  contentType: string | null;
}

async function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  const r = await fetch(base + path, { method, headers, body });
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json, contentType: r.headers.get('content-type') };
}

function expectContract(a: Answer, what: () => unknown): void {
  // 503 READ_MODEL_BEHIND is the contract's answer to a Min-Position not reached in 5 s.
  if (a.status >= 500 && !(a.status === 503 && a.json?.error?.code === 'READ_MODEL_BEHIND')) throw new Error(`5xx ${a.status} for ${JSON.stringify(what()).slice(0, 2000)}: ${a.text.slice(0, 500)}`);
  if (a.status >= 400) {
    const ok =
      a.json &&
      typeof a.json === 'object' &&
      Object.keys(a.json).length === 1 &&
      typeof a.json.error?.code === 'string' &&
      typeof a.json.error?.message === 'string';
    if (!ok) throw new Error(`not the error shape (${a.status}) for ${JSON.stringify(what()).slice(0, 2000)}: ${a.text.slice(0, 500)}`);
    if (Buffer.byteLength(a.text) > MAX_ERROR_BYTES) throw new Error(`error body of ${Buffer.byteLength(a.text)} bytes`);
  }
}

const authorization = (token: string, right: string): Record<string, string> => {
  const t = token === 'right' ? right : token === 'reader' ? TOKENS.reader : token === 'auditor' ? TOKENS.auditor : token === 'wrong' ? 'wrong-token' : '';
  return t ? { authorization: `Bearer ${t}` } : {};
};

describe('fuzzing the HTTP API (issue 11)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Wrong tokens are part of the fuzz: the address must not lock itself out.
    t = await startTestApp({ AUTH_FAILURE_LIMIT: '1000000' });
    // Something to read: a process and an agreement in it.
    const open = await t.api.post('/v1/processes/fuzz-process/commands', {
      type: 'OpenProcess',
      commandId: randomUUID(),
      occurredAt: '2017-01-01',
      data: { name: 'Fuzz talks', hostCountry: 'KAZ' },
    });
    expect(open.status).toBe(201);
    const draft = await t.api.post('/v1/agreements/fuzz-agreement/commands', {
      type: 'DraftAgreement',
      commandId: randomUUID(),
      occurredAt: '2017-02-01',
      data: { title: 'Fuzz memorandum', kind: 'memorandum', processId: 'fuzz-process', parties: [{ id: 'RUS' }] },
    });
    expect(draft.status).toBe(201);
  });
  afterAll(() => t.close());

  const head = () => t.runtime.eventStore.headPosition();

  it.each([
    ['agreements', agreementCommandDataSchemas],
    ['processes', processCommandDataSchemas],
  ] as const)(
    'commands on /v1/%s/{id}/commands: hostile bodies from the schemas never 5xx, keep the error shape, store nothing when refused',
    async (streams, dataSchemas) => {
      const body = fc.oneof(
        { arbitrary: fc.oneof(...schemasOf(dataSchemas).map((s) => mutatedArb(s, 1))).map((v) => JSON.stringify(v) ?? 'null'), weight: 8 },
        { arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? 'null'), weight: 1 },
        { arbitrary: rawBodies, weight: 1 },
      );
      const headers = fc.record(
        {
          contentType: fc.oneof(
            { arbitrary: fc.constant('application/json'), weight: 10 },
            { arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', ''), weight: 1 },
          ),
          ifMatch: headerText,
          correlationId: headerText,
        },
        { requiredKeys: ['contentType'] },
      );
      await fc.assert(
        fc.asyncProperty(ids, body, headers, tokens, async (id, payload, h, token) => {
          const sent: Record<string, string> = { ...authorization(token, TOKENS.operator) };
          if (h.contentType) sent['content-type'] = h.contentType;
          if (h.ifMatch !== undefined) sent['if-match'] = h.ifMatch;
          if (h.correlationId !== undefined) sent['x-correlation-id'] = h.correlationId;
          const before = await head();
          const a = await send(t.base, 'POST', `/v1/${streams}/${id}/commands`, sent, payload);
          const what = () => ({ id, headers: sent, body: typeof payload === 'string' ? payload.slice(0, 1000) : payload.toString('hex').slice(0, 1000) });
          expectContract(a, what);
          if (a.status >= 400 && (await head()) !== before) throw new Error(`refused with ${a.status} but stored: ${JSON.stringify(what())}`);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    timeoutFor(RUNS),
  );

  const QUERY_NAMES = [
    'asOf', 'knownAt', 'status', 'party', 'processId', 'kind', 'inForceOn', 'limit', 'cursor', 'fromRevision', 'fromPosition', 'type',
    'fromTreeSize', 'fromIndex', 'eventId', 'treeSize', 'first', 'second',
    'constructor', '__proto__', 'toString', 'foo', '',
  ];
  const queryValue = fc.oneof(
    fc.constantFrom('2017', '2017-06-01', '2017-09-01T00:00:00Z', 'in-force', 'RUS', 'astana', 'memorandum', '1', '0', '500', '501', '-1', '1e3', 'x', '9007199254740993', '2'),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      Buffer.from(JSON.stringify(['agreements', 'a\u0000b'])).toString('base64url'),
      Buffer.from(JSON.stringify(['processes', 'fuzz-process'])).toString('base64url'),
      Buffer.from('not json').toString('base64url'),
      'A'.repeat(600),
    ),
  );
  const queryString = fc.oneof(
    { arbitrary: fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), queryValue), { maxLength: 4 }).map((pairs) => new URLSearchParams(pairs).toString()), weight: 8 },
    { arbitrary: fc.constantFrom('a=%E0%A4%A', '%%%', 'limit=1&limit=2', '__proto__[x]=1', 'a[b]=c', '&&&=', 'cursor'), weight: 1 },
  );
  const route = fc.constantFrom(
    ['reader', '/v1/agreements'],
    ['reader', '/v1/agreements/{id}'],
    ['reader', '/v1/agreements/{id}/timeline'],
    ['reader', '/v1/processes'],
    ['reader', '/v1/processes/{id}'],
    ['auditor', '/v1/agreements/{id}/events'],
    ['auditor', '/v1/processes/{id}/events'],
    ['auditor', '/v1/events'],
    ['auditor', '/v1/ledger/key'],
    ['auditor', '/v1/ledger/head'],
    ['auditor', '/v1/ledger/heads'],
    ['auditor', '/v1/ledger/leaves'],
    ['auditor', '/v1/ledger/proof/inclusion'],
    ['auditor', '/v1/ledger/proof/consistency'],
  );
  const minPosition = fc.option(fc.oneof(fc.constantFrom('0', '1', '2', '-1', '1.5', 'abc', '1/2', ' 1 ', '00001'), headerText.filter((s) => !/^\s*\d+\s*$/.test(s))), {
    nil: undefined,
  });

  it(
    'every query and history route: hostile ids, query strings and headers never 5xx and keep the error shape',
    async () => {
      await fc.assert(
        fc.asyncProperty(route, ids, queryString, tokens, minPosition, async ([role, pattern], id, query, token, min) => {
          const path = pattern.replace('{id}', id) + (query ? `?${query}` : '');
          const sent: Record<string, string> = { ...authorization(token, role === 'auditor' ? TOKENS.auditor : TOKENS.reader) };
          if (min !== undefined) sent['min-position'] = min;
          const before = await head();
          const a = await send(t.base, 'GET', path, sent);
          expectContract(a, () => ({ path, headers: sent }));
          if ((await head()) !== before) throw new Error(`a query stored something: ${path}`);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    timeoutFor(RUNS),
  );
});
