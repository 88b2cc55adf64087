import { startTestApp, TestApp } from '../support/app';

/** /docs-json as a client generator reads it: each parameter once, with the schema the route checks. */
describe('the OpenAPI document', () => {
  let t: TestApp;
  let paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; required?: boolean; schema?: any }> }>>;
  beforeAll(async () => {
    t = await startTestApp();
    paths = (await t.api.get('/docs-json', { token: null })).json.paths;
  });
  afterAll(() => t.close());

  const READS = [
    '/v1/agreements',
    '/v1/agreements/{agreementId}',
    '/v1/agreements/{agreementId}/timeline',
    '/v1/processes',
    '/v1/processes/{processId}',
  ];

  it.each(READS)('declares Min-Position on %s once, as an optional header', (path) => {
    const headers = (paths[path].get.parameters ?? []).filter((p) => p.in === 'header' && p.name.toLowerCase() === 'min-position');
    expect(headers).toHaveLength(1);
    expect(headers[0].required).toBe(false);
  });

  it('gives every query parameter a typed schema, optional', () => {
    const queries = Object.values(paths).flatMap((methods) =>
      Object.values(methods).flatMap((op) => (op.parameters ?? []).filter((p) => p.in === 'query')),
    );
    expect(queries.length).toBeGreaterThan(15);
    for (const parameter of queries) {
      expect({ name: parameter.name, required: parameter.required }).toEqual({ name: parameter.name, required: false });
      expect({ name: parameter.name, type: parameter.schema?.type }).toEqual({ name: parameter.name, type: expect.stringMatching(/^(string|integer)$/) });
    }
  });

  it('states the limits, patterns and values the routes check', () => {
    const query = (path: string, name: string) => paths[path].get.parameters!.find((p) => p.in === 'query' && p.name === name)!.schema;
    expect(query('/v1/agreements', 'limit')).toEqual({ type: 'integer', minimum: 1, maximum: 500, default: 50 });
    expect(query('/v1/agreements', 'status').enum).toContain('in-force');
    expect(query('/v1/agreements', 'processId').pattern).toBe('^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$');
    expect(query('/v1/agreements', 'party').pattern).toBeDefined();
    expect(query('/v1/agreements', 'boundParty')).toEqual(query('/v1/agreements', 'party'));
    expect(query('/v1/agreements', 'asOf')).toEqual({ type: 'string', format: 'business-time', maxLength: 64 });
    expect(query('/v1/agreements', 'knownAt')).toEqual({ type: 'string', format: 'business-time', maxLength: 64 });
    expect(query('/v1/agreements/{agreementId}/events', 'limit')).toEqual({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
    expect(query('/v1/agreements/{agreementId}/events', 'fromRevision')).toEqual({ type: 'integer', minimum: 0 });
    expect(query('/v1/events', 'type').enum).toContain('AgreementSigned');
  });
});
