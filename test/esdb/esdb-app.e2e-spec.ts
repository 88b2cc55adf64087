/**
 * The HTTP API on EventStoreDB (the in-memory gRPC test server standing in for a node): the
 * Astana scenario end to end, a second instance on the same node, an app restart, a node restart
 * under a live projector subscription, what the app wrote as any EventStoreDB client sees it, and
 * a v2 history recorded out of order answered as on the embedded store.
 *
 * The steps share one node and build on each other, in order.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, type ResolvedEvent } from '@eventstore/db-client';
import { allEventTypes, eventSchemaVersions } from '@agreements/domain';
import { openReadModelStore, rebuildReadModels, type ReadModelStore } from '@agreements/read-models';
// The test server is test support of the adapter, deliberately not exported by @agreements/event-store.
import { EsdbTestServer } from '../../libs/event-store/src/esdb/test-server/esdb-test-server';
import { ApiResponse, MEMORANDUM, TOKENS, TestApp, astana, startTestApp } from '../support/app';
import { comparableAnswer, IRN, USA, V2_AGREEMENT, V2_AS_OF, V2_PATH, v2History, withoutPerStoreDetails } from './v2-history';

const M_PATH = `/v1/agreements/${MEMORANDUM}/commands`;
const P_PATH = '/v1/processes/astana/commands';
const RUS = { id: 'RUS', name: 'Russia' };
const METADATA_KEYS = [
  '$causationId',
  '$correlationId',
  'actor',
  'commandId',
  'occurredAt',
  'schemaVersion',
  'sources',
];

const cmd = (type: string, data: Record<string, unknown>, occurredAt = '2017-08-01') => ({
  type,
  commandId: randomUUID(),
  occurredAt,
  data,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until check answers something (the ledger keeper follows the log a moment behind). */
async function sleepUntil<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** GET with Min-Position, retried while the read models are behind (the gate gives up after 5 s with 503). */
async function readAfter(t: TestApp, path: string, position: string, timeoutMs = 30_000): Promise<ApiResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await t.api.get(path, { headers: { 'min-position': position } });
    if (r.status !== 503 || Date.now() > deadline) return r;
  }
}

/** Every event of a stream over HTTP (auditor). */
async function history(t: TestApp, kind: 'agreements' | 'processes', id: string): Promise<any[]> {
  const r = await t.api.get(`/v1/${kind}/${id}/events?limit=1000`, { token: TOKENS.auditor });
  expect(r.status).toBe(200);
  return r.json.items;
}

async function ready(t: TestApp): Promise<ApiResponse> {
  return t.api.get('/health/ready', { token: null });
}

describe('the API on EventStoreDB (gRPC test server)', () => {
  const server = new EsdbTestServer();
  let connection: string;
  const dirs: string[] = [];
  const apps: TestApp[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'agreements-esdb-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string) => {
    const t = await startTestApp({ EVENTSTORE_CONNECTION_STRING: connection, DATA_DIR: dataDir });
    apps.push(t);
    return t;
  };
  const close = async (t: TestApp) => {
    apps.splice(apps.indexOf(t), 1);
    await t.close();
  };

  /** The first instance; replaced by its restart in step 3. */
  let app: TestApp;
  let appDir: string;
  /** The answers to the scenario's commands, in order. */
  const scenario: Array<{ step: (typeof astana.steps)[number]; response: ApiResponse }> = [];
  let lastPosition: string;
  let memorandumView: any;
  let processView: any;

  beforeAll(async () => {
    await server.start();
    // The adapter's own tests connect the same way: esdb://127.0.0.1:PORT?tls=false.
    connection = server.connectionString;
    expect(connection).toBe(`esdb://127.0.0.1:${server.port}?tls=false`);
    appDir = newDir();
    app = await start(appDir);
  });

  afterAll(async () => {
    for (const t of [...apps].reverse()) await t.close().catch(() => undefined);
    await server.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('1. records the whole Astana scenario over HTTP and answers the memorandum and the process from it', async () => {
    expect((await ready(app)).json.components.eventStore).toMatchObject({ status: 'up' });
    for (const step of astana.steps) {
      const response = await app.api.post(step.path, step.body);
      expect({ step: step.body.type, status: response.status, body: response.json }).toEqual(
        expect.objectContaining({ step: step.body.type, status: 201 }),
      );
      scenario.push({ step, response });
    }
    lastPosition = scenario.at(-1)!.response.json.position;
    expect(lastPosition).toMatch(/^\d+\/\d+$/);

    const memorandum = await app.api.get(`/v1/agreements/${MEMORANDUM}`, { headers: { 'min-position': lastPosition } });
    expect(memorandum.status).toBe(200);
    expect(memorandum.json).toMatchObject({
      agreementId: MEMORANDUM,
      kind: 'memorandum',
      processId: 'astana',
      status: 'in-force',
      contested: true,
      term: expect.objectContaining({ renewal: 'by-consensus' }),
    });
    const parties = Object.fromEntries(memorandum.json.parties.map((p: any) => [p.id, p.status]));
    expect(parties).toEqual({ RUS: 'signed', TUR: 'signed', IRN: 'signed', 'group:syrian-opposition': 'rejected' });
    expect(memorandum.json.provisions.map((p: any) => [p.provisionId, p.kind]).sort()).toEqual([
      ['eastern-ghouta', 'zone'],
      ['idlib', 'zone'],
      ['northern-homs', 'zone'],
      ['south', 'zone'],
    ]);
    memorandumView = memorandum.json;

    const astanaProcess = await app.api.get('/v1/processes/astana', { headers: { 'min-position': lastPosition } });
    expect(astanaProcess.status).toBe(200);
    expect(astanaProcess.json.nextRound).toMatchObject({
      roundId: 'round-6',
      ordinal: 6,
      window: '2017-08',
      precision: 'month',
    });
    expect(astanaProcess.json.rounds.find((r: any) => r.roundId === 'round-5')).toMatchObject({ status: 'concluded' });
    processView = astanaProcess.json;

    // An event recorded through the two-round-trip command path has no id reservation on the node:
    // its deliveries are still found (through the ledger's index of event ids), [] without Kafka.
    const [memorandumEvent] = await history(app, 'agreements', MEMORANDUM);
    const deliveries = await sleepUntil(async () => {
      const r = await app.api.get(`/v1/events/${memorandumEvent.eventId}/deliveries`, { token: TOKENS.auditor });
      return r.status === 200 ? r : undefined;
    });
    expect(deliveries.json).toEqual([]);
    expect((await app.api.get(`/v1/events/${randomUUID()}/deliveries`, { token: TOKENS.auditor })).status).toBe(404);
  });

  it('2. a second instance on the same node, with read models of its own, sees the same state and history', async () => {
    const second = await start(newDir());
    try {
      const memorandum = await readAfter(second, `/v1/agreements/${MEMORANDUM}`, lastPosition);
      expect(memorandum.status).toBe(200);
      expect(memorandum.json).toEqual(memorandumView);
      const astanaProcess = await readAfter(second, '/v1/processes/astana', lastPosition);
      expect(astanaProcess.json).toEqual(processView);

      const firstHistory = await history(app, 'agreements', MEMORANDUM);
      expect(firstHistory.length).toBeGreaterThan(0);
      expect(await history(second, 'agreements', MEMORANDUM)).toEqual(firstHistory);
      expect(await history(second, 'processes', 'astana')).toEqual(await history(app, 'processes', 'astana'));
    } finally {
      await close(second);
    }
  });

  it('3. after an app restart nothing is lost, and a command resent after it is answered as already done', async () => {
    const agreementHistory = await history(app, 'agreements', MEMORANDUM);
    const processHistory = await history(app, 'processes', 'astana');
    await close(app);

    app = await start(appDir);
    const memorandum = await readAfter(app, `/v1/agreements/${MEMORANDUM}`, lastPosition);
    expect(memorandum.json).toEqual(memorandumView);
    expect((await readAfter(app, '/v1/processes/astana', lastPosition)).json).toEqual(processView);
    expect(await history(app, 'agreements', MEMORANDUM)).toEqual(agreementHistory);
    expect(await history(app, 'processes', 'astana')).toEqual(processHistory);

    const head = await app.runtime.eventStore.headPosition();
    expect(head).toBe(lastPosition);
    for (const { step, response } of [scenario[0], scenario.at(-1)!]) {
      const again = await app.api.post(step.path, step.body);
      expect([again.status, again.headers.get('idempotent-replay')]).toEqual([200, 'true']);
      expect(again.json).toEqual(response.json);
    }
    expect(await app.runtime.eventStore.headPosition()).toBe(head);
    expect(await history(app, 'agreements', MEMORANDUM)).toEqual(agreementHistory);
    expect(await history(app, 'processes', 'astana')).toEqual(processHistory);
  });

  it('4. survives a node stop and restart under the live projector: resumes from its checkpoint, read models equal a clean rebuild', async () => {
    const projectorBefore = (await ready(app)).json.components.projector;
    const before = await app.api.post(
      M_PATH,
      cmd('ReportBreach', { allegedBy: RUS, description: 'shelling before the outage', provisionId: 'idlib' }),
    );
    expect(before.status).toBe(201);
    expect((await readAfter(app, `/v1/agreements/${MEMORANDUM}`, before.json.position)).status).toBe(200);

    // The node goes away (its state object stays: the same data comes back with it).
    await server.stop();

    // Readiness: the event store answers nothing, so the instance is not ready.
    const down = await ready(app);
    expect(down.status).toBe(503);
    expect(down.json.status).toBe('down');
    expect(down.json.components.eventStore.status).toBe('down');

    // A command while the node is down: 503 EVENT_STORE_UNAVAILABLE with Retry-After, and
    // nothing recorded: resent once the node is back, it is a new command (201), not a replay.
    const whileDown = cmd('ReportBreach', {
      allegedBy: RUS,
      description: 'posted while the node was down',
      provisionId: 'south',
    });
    const refused = await app.api.post(M_PATH, whileDown);
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('EVENT_STORE_UNAVAILABLE');
    expect(refused.headers.get('retry-after')).toBe('2');
    // Queries are answered from the read models meanwhile; the history, read from the node, is not.
    expect((await app.api.get(`/v1/agreements/${MEMORANDUM}`)).status).toBe(200);
    expect((await app.api.get(`/v1/agreements/${MEMORANDUM}/events`, { token: TOKENS.auditor })).status).toBe(503);

    await sleep(1000);
    await server.start();

    const resent = await app.api.post(M_PATH, whileDown);
    expect(resent.status).toBe(201);
    const after = [
      await app.api.post(M_PATH, cmd('AssessProvision', { provisionId: 'south', status: 'violated' })),
      await app.api.post(
        P_PATH,
        cmd('ConveneTalks', { roundId: 'round-6', delegations: [RUS], observers: [] }, '2017-09-14'),
      ),
    ];
    for (const r of after) expect({ status: r.status, body: r.json }).toEqual(expect.objectContaining({ status: 201 }));
    const head = after.at(-1)!.json.position;
    expect(await app.runtime.eventStore.headPosition()).toBe(head);

    // Every event reached the read models through the resumed subscription...
    const memorandum = await readAfter(app, `/v1/agreements/${MEMORANDUM}`, head);
    expect(memorandum.status).toBe(200);
    const agreementEvents = await history(app, 'agreements', MEMORANDUM);
    expect(memorandum.json.revision).toBe(agreementEvents.length - 1);
    const astanaProcess = await readAfter(app, '/v1/processes/astana', head);
    expect(astanaProcess.json.revision).toBe((await history(app, 'processes', 'astana')).length - 1);
    expect(await app.runtime.readModels.checkpoint()).toBe(head);

    // ...each applied once, from the checkpoint on: the projector of this (restarted) instance
    // applied exactly the events written since it started, none of the scenario again.
    const ok = await ready(app);
    expect(ok.status).toBe(200);
    expect(ok.json.components.eventStore).toMatchObject({ status: 'up', headPosition: head });
    expect(ok.json.components.projector.eventsApplied - projectorBefore.eventsApplied).toBe(4);
    expect(projectorBefore.eventsApplied).toBe(0);

    // The live read models give the same answers as read models rebuilt from scratch.
    const rebuilt: ReadModelStore = await openReadModelStore({ dataDir: newDir() });
    try {
      const summary = await rebuildReadModels(app.runtime.eventStore, rebuilt);
      expect(summary.checkpoint).toBe(head);
      const live = app.runtime.readModels;
      const clean = rebuilt.queries;
      expect(await clean.getAgreement(MEMORANDUM, {})).toEqual(await live.getAgreement(MEMORANDUM, {}));
      expect(await clean.getProcess('astana', {})).toEqual(await live.getProcess('astana', {}));
      expect(await clean.listAgreements({}, { limit: 500 })).toEqual(await live.listAgreements({}, { limit: 500 }));
      expect(await clean.listProcesses({ limit: 500 })).toEqual(await live.listProcesses({ limit: 500 }));
      expect(await clean.getAgreementTimeline(MEMORANDUM, {})).toEqual(await live.getAgreementTimeline(MEMORANDUM, {}));
      expect(await clean.checkpoint()).toBe(await live.checkpoint());
      expect(await live.getAgreement(MEMORANDUM, {})).toMatchObject({ revision: memorandum.json.revision });
    } finally {
      await rebuilt.close();
    }
  });

  it('5. writes what any EventStoreDB client reads: streams, event types, JSON data and metadata', async () => {
    const client = EventStoreDBClient.connectionString(connection);
    try {
      const read = async (streamId: string) => {
        const events = [];
        for await (const resolved of client.readStream(streamId) as AsyncIterable<ResolvedEvent>)
          events.push(resolved.event!);
        return events;
      };
      const agreement = await read(`agreement-${MEMORANDUM}`);
      const processStream = await read('process-astana');

      // The scenario's events, as the API answered them, are the streams' first events.
      for (const [streamId, stored] of [
        [`agreement-${MEMORANDUM}`, agreement],
        [`process-astana`, processStream],
      ] as const) {
        const answered = scenario
          .filter(({ response }) => response.json.streamId === streamId)
          .flatMap(({ step, response }) => response.json.events.map((e: any) => ({ ...e, step })));
        expect(stored.slice(0, answered.length).map((e) => [e.id, e.type, Number(e.revision)])).toEqual(
          answered.map((e: any) => [e.eventId, e.type, e.revision]),
        );
        for (const [index, e] of answered.entries()) {
          const event = stored[index];
          expect(event.isJson).toBe(true);
          expect(event.metadata).toEqual({
            $correlationId: e.step.body.commandId,
            $causationId: e.step.body.commandId,
            actor: 'desk-1',
            commandId: e.step.body.commandId,
            occurredAt: e.step.body.occurredAt,
            sources: e.step.body.sources ?? [],
            schemaVersion: (eventSchemaVersions as Record<string, number>)[e.type],
          });
        }
      }

      const httpHistory = [
        ...(await history(app, 'agreements', MEMORANDUM)),
        ...(await history(app, 'processes', 'astana')),
      ];
      const stored = [...agreement, ...processStream];
      expect(stored.map((e) => e.id)).toEqual(httpHistory.map((e) => e.eventId));
      for (const [index, event] of stored.entries()) {
        const seen = httpHistory[index];
        expect(allEventTypes).toContain(event.type);
        expect(event.type).toBe(seen.type);
        expect(event.isJson).toBe(true);
        expect(event.data).toEqual(seen.data);
        const metadata = event.metadata as Record<string, unknown>;
        expect(Object.keys(metadata).sort()).toEqual(METADATA_KEYS);
        expect(metadata).toEqual({
          $correlationId: seen.metadata.correlationId,
          $causationId: seen.metadata.causationId,
          actor: seen.metadata.actor,
          commandId: seen.metadata.commandId,
          occurredAt: seen.metadata.occurredAt,
          sources: seen.metadata.sources,
          schemaVersion: seen.metadata.schemaVersion,
        });
      }

      // $all (the 6.x client's readAll takes no filter: every event is looked at): the domain
      // events live in agreement-<id> / process-<id>; everything else is $-typed bookkeeping of
      // the adapter (commandlog-*, eventid-*) or the node's own ($settings).
      const domainStreams = new Set<string>();
      const bookkeeping = new Set<string>();
      for await (const resolved of client.readAll() as AsyncIterable<ResolvedEvent>) {
        const event = resolved.event!;
        if (event.type.startsWith('$')) bookkeeping.add(`${event.streamId.replace(/-.*$/, '-*')} ${event.type}`);
        else domainStreams.add(event.streamId);
      }
      expect(domainStreams).toEqual(new Set([`agreement-${MEMORANDUM}`, 'process-astana']));
      expect([...bookkeeping].filter((k) => !/^(commandlog-\*|eventid-\*|\$settings) \$/.test(k))).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('6. a v2 history recorded out of order (adoption, accession after withdrawal, a dispute of the end, a breach learnt after it) answers as on the embedded store', async () => {
    const embedded = await startTestApp({ DATA_DIR: newDir() });
    apps.push(embedded);
    try {
      const positions = new Map<TestApp, string>();
      for (const { body, expect: expected } of v2History()) {
        const [onEsdb, onEmbedded] = [await app.api.post(V2_PATH, body), await embedded.api.post(V2_PATH, body)];
        expect({ type: body.type, answer: comparableAnswer(onEsdb) }).toEqual({ type: body.type, answer: comparableAnswer(onEmbedded) });
        expect({ type: body.type, outcome: onEsdb.status === 201 ? 201 : onEsdb.json.error.code }).toEqual({ type: body.type, outcome: expected });
        if (onEsdb.status === 201) {
          positions.set(app, onEsdb.json.position);
          positions.set(embedded, onEmbedded.json.position);
        }
      }

      const ask = async (t: TestApp, path: string) => {
        const r = await readAfter(t, path, positions.get(t)!);
        return { path, status: r.status, body: withoutPerStoreDetails(r.json) };
      };
      const paths = [
        `/v1/agreements/${V2_AGREEMENT}`,
        `/v1/agreements/${V2_AGREEMENT}/timeline`,
        ...V2_AS_OF.flatMap((asOf) => [`/v1/agreements/${V2_AGREEMENT}?asOf=${asOf}`, `/v1/agreements/${V2_AGREEMENT}/timeline?asOf=${asOf}`]),
        `/v1/agreements?party=USA&inForceOn=2019-01-01`,
        `/v1/agreements?party=USA&inForceOn=2022-01-01`,
      ];
      for (const path of paths) expect(await ask(app, path)).toEqual(await ask(embedded, path));
      const histories = await Promise.all([app, embedded].map((t) => history(t, 'agreements', V2_AGREEMENT)));
      expect(withoutPerStoreDetails(histories[0])).toEqual(withoutPerStoreDetails(histories[1]));

      // And the answers are the history's: what an analyst asks of it.
      const now = (await ask(app, `/v1/agreements/${V2_AGREEMENT}`)).body as any;
      expect(now).toMatchObject({ status: 'terminated', adoptedAt: '2015-07-14', contested: true });
      expect(now.disputes).toEqual([expect.objectContaining({ party: IRN, claim: 'in-force' })]);
      expect(now.breaches).toEqual([expect.objectContaining({ occurredAt: '2019-07-08', provisionId: 'enrichment-limit' })]);
      expect(now.provisions).toEqual([expect.objectContaining({ provisionId: 'enrichment-limit', status: 'ended' })]);
      const usa = now.parties.find((p: { id: string }) => p.id === USA.id);
      expect(usa.statusHistory.map((i: { status: string; from: string }) => [i.status, i.from])).toEqual([
        ['pending', '2015-04-02'],
        ['adopted', '2015-07-14'],
        ['withdrawn', '2018-05-08'],
        ['acceded', '2021-02-19'],
      ]);
      const in2019 = (await ask(app, `/v1/agreements/${V2_AGREEMENT}?asOf=2019-07-08`)).body as any;
      expect(in2019).toMatchObject({ status: 'in-force', contested: false });
      expect(in2019.parties.find((p: { id: string }) => p.id === USA.id).status).toBe('withdrawn');
    } finally {
      await close(embedded);
    }
  });
});
