import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@agreements/event-store';
import { dropSchema, readModelBackends, startTestApp, TOKENS, type TestApp } from '../support/app';
import { ask, readFixtureEvents, readGolden, reducedTo, writeStoredEvents } from '../fixtures/v1-log/fixture-io';
import { asV2Expects } from '../fixtures/v1-log/v2-changes';

// The stored v1 log (test/fixtures/v1-log, made by make-fixture.ts with the v1 code) loaded as it
// was stored into a fresh embedded store, read by this version on both read-model backends: every
// answer v1 gave must come back the same, but for fields this version adds.

const MEMORANDUM_EVENTS = '/v1/agreements/astana-deescalation-memorandum/events';

async function startOnStoredLog(env: Record<string, string>): Promise<{ t: TestApp; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'agreements-v1-log-'));
  const file = join(dataDir, 'events.sqlite');
  await (await SqliteEventStore.open({ file })).close();
  const db = new Database(file);
  try {
    writeStoredEvents(db, readFixtureEvents());
  } finally {
    db.close();
  }
  const t = await startTestApp({ ...env, DATA_DIR: dataDir });
  return { t, dataDir };
}

describe.each(readModelBackends())('a stored v1 log read by this version, read models on %s', (_name, backendEnv) => {
  const env = backendEnv();
  const golden = readGolden();
  const stored = readFixtureEvents();
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    ({ t, dataDir } = await startOnStoredLog(env));
    // The projector has read the whole log once an answer at its last position comes back.
    const caughtUp = await t.api.get('/v1/processes/astana', { headers: { 'min-position': String(stored[stored.length - 1].position) } });
    expect(caughtUp.status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (env.DATABASE_SCHEMA) await dropSchema(env.DATABASE_SCHEMA);
  });

  it(`given the fixture's ${golden.answers.length} golden questions, when asked again, then each answer (reduced to the keys v1 gave) is v1's, but for the v2 spec's deliberate changes`, async () => {
    const differences: unknown[] = [];
    for (const expected of golden.answers) {
      const actual = await ask(t, expected);
      const seen = { status: actual.status, body: reducedTo(expected.body, actual.body) };
      const v2 = { status: expected.status, body: asV2Expects(expected.path, expected.body, seen.body) };
      if (JSON.stringify(seen) !== JSON.stringify(v2)) {
        differences.push({ path: expected.path, expected: v2, actual: seen });
      }
    }
    expect(differences).toEqual([]);
  });

  it('given a TermSet stored at v1, when its history is read, then it shows the current shape and the event as stored', async () => {
    const history = await t.api.get(MEMORANDUM_EVENTS, { token: TOKENS.auditor });
    const termSet = history.json.items.find((event: { type: string }) => event.type === 'TermSet');
    expect(termSet).toMatchObject({
      data: { duration: 'P6M', countedFrom: 'entry-into-force', renewal: 'by-consensus' },
      schemaVersion: 2,
      stored: { schemaVersion: 1, data: { duration: 'P6M', renewal: 'by-consensus' } },
      metadata: { schemaVersion: 1 },
    });
    const unchanged = history.json.items.find((event: { type: string }) => event.type === 'MemorandumSigned');
    expect(unchanged.schemaVersion).toBe(1);
    expect(unchanged).not.toHaveProperty('stored');
  });

  it('given the v1 log, when commands are decided on it, then the command path reads the upcast term (a correction of the v1 TermSet, an extension after it)', async () => {
    const termSetId = (await t.api.get(MEMORANDUM_EVENTS, { token: TOKENS.auditor })).json.items.find((e: { type: string }) => e.type === 'TermSet').eventId;
    const correction = await t.api.post('/v1/agreements/astana-deescalation-memorandum/commands', {
      type: 'RecordCorrection',
      commandId: '7a1d0a52-4c55-4d8e-9a3f-0c1e5b7d9f01',
      occurredAt: '2018-06-01',
      data: { targetEventId: termSetId, data: { renewal: 'automatic' }, reason: 'renewal as in the text' },
    });
    expect([correction.status, correction.json.events?.[0]?.type]).toEqual([201, 'EventCorrected']);
    const extension = await t.api.post('/v1/agreements/astana-deescalation-memorandum/commands', {
      type: 'ExtendTerm',
      commandId: '7a1d0a52-4c55-4d8e-9a3f-0c1e5b7d9f02',
      occurredAt: '2018-05-01',
      data: { until: '2018-12', basis: 'explicit' },
    });
    expect(extension.status).toBe(201);
    const now = await t.api.get('/v1/agreements/astana-deescalation-memorandum', { headers: { 'min-position': extension.json.position } });
    expect(now.json.term).toMatchObject({ duration: 'P6M', countedFrom: 'entry-into-force', renewal: 'automatic', endsAt: '2018-12-31T23:59:59.999Z' });
  });
});
