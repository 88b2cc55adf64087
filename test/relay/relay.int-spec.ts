import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agreementDecider, agreementView, allEventTypes, loadStream, parseStreamId, toEventEnvelope } from '@agreements/domain';
import { type RecordedEvent, SqliteEventStore } from '@agreements/event-store';
import {
  eventMessage,
  InMemoryRelayCheckpointStore,
  Relay,
  type RelayOptions,
  republish,
  SqliteRelayCheckpointStore,
  relayHealth,
  topicNames,
} from '@agreements/messaging';
import { Kafka, logLevel } from 'kafkajs';
import { parse } from 'yaml';
import { asyncApiValidators } from '../../libs/messaging/src/testing/asyncapi-validation';
import { recordAstanaScenario, recordCommand, recordEveryEventType } from '../../libs/messaging/src/testing/scenarios';
import { appendWorkload, generateWorkload } from '../../libs/read-models/src/testing/workload';
import { deleteTopics, ensureKafka, freeTcpPort, uniqueTopicPrefix as newTopicPrefix } from '../support/kafka';
import { type ConsumedMessage, consumeUntil, eventsOf, latestByKey, memoryLogger } from './support/consume';

jest.setTimeout(120_000);

let brokers: string;
let dir: string;
const prefixes: string[] = [];

function uniqueTopicPrefix(label: string): string {
  const prefix = newTopicPrefix(label);
  prefixes.push(prefix);
  return prefix;
}

beforeAll(async () => {
  brokers = await ensureKafka();
  dir = mkdtempSync(join(tmpdir(), 'relay-int-'));
}, 240_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteTopics(brokers, prefixes);
});

async function openStore(name: string): Promise<SqliteEventStore> {
  return SqliteEventStore.open({ file: join(dir, `${name}.sqlite`), pollIntervalMs: 50 });
}

function relayFor(store: SqliteEventStore, prefix: string, overrides: Partial<RelayOptions> = {}) {
  const logger = memoryLogger();
  const relay = new Relay({
    eventStore: store,
    brokers,
    topicPrefix: prefix,
    partitions: 3,
    checkpointStore: new InMemoryRelayCheckpointStore(),
    logger,
    retryDelayMs: 100,
    ...overrides,
  });
  return { relay, logger };
}

/** Every event of the store, in global order. */
function allEvents(store: SqliteEventStore): Promise<RecordedEvent[]> {
  return store.readAll();
}

function expectedSummary(events: RecordedEvent[], agreementId: string) {
  const stream = events.filter((e) => e.streamId === `agreement-${agreementId}`);
  const view = agreementView(loadStream(agreementDecider, stream.map(toEventEnvelope)).state, agreementId);
  if (view === null) return null;
  return {
    id: agreementId,
    title: view.title,
    kind: view.kind,
    status: view.status,
    adoptedAt: view.adoptedAt,
    contested: view.contested,
    disputes: view.disputes,
    endorsements: view.endorsements,
    // The summary keeps each party's id, name, status and a group's members (the view adds its status history).
    parties: view.parties.map(({ id, name, status, members }) => ({ id, name, status, ...(members ? { members } : {}) })),
    term: view.term,
    revision: view.revision,
    position: stream[stream.length - 1].position,
  };
}

function expectStreamsInRevisionOrder(messages: ConsumedMessage[]): void {
  const byKey = new Map<string, ConsumedMessage[]>();
  for (const m of messages) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m]);
  for (const [key, list] of byKey) {
    expect(new Set(list.map((m) => m.partition)).size).toBe(1);
    const revisions = list.sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset))).map((m) => Number(m.headers.ce_revision));
    expect({ key, revisions }).toEqual({ key, revisions: revisions.map((_, i) => i) });
  }
}

describe('the Kafka relay against a real broker', () => {
  it('publishes the whole Astana scenario: one message per stored event with key, headers and data, streams in revision order, and each agreement\'s latest summary', async () => {
    const store = await openStore('astana');
    const prefix = uniqueTopicPrefix('astana');
    const topics = topicNames(prefix);
    // Given the scenario recorded through the deciders
    await recordAstanaScenario(store);
    const stored = await allEvents(store);
    // When the relay runs
    const { relay } = relayFor(store, prefix, { source: '/agreements/test' });
    await relay.start();
    await relay.waitUntilCaughtUp(60_000);
    const agreementIds = [...new Set(stored.map((e) => parseStreamId(e.streamId)).filter((s) => s?.kind === 'agreement').map((s) => s!.id))];
    const messages = await consumeUntil(
      brokers,
      [topics.events, topics.status],
      (all) => eventsOf(all, topics.events).length >= stored.length && agreementIds.every((id) => latestByKey(all, topics.status).get(id)?.value?.includes(`"revision":${stored.filter((e) => e.streamId === `agreement-${id}`).length - 1}`)),
    );
    const status = await relay.status();
    await relay.stop();

    // Then every stored event is there once, as stored
    const events = eventsOf(messages, topics.events);
    expect(events).toHaveLength(stored.length);
    const byId = new Map(events.map((m) => [m.headers.ce_id, m]));
    for (const event of stored) {
      const message = byId.get(event.eventId)!;
      expect(message).toBeDefined();
      expect(message.key).toBe(event.streamId);
      expect(JSON.parse(message.value!)).toEqual(event.data);
      expect(message.headers).toEqual({
        ce_specversion: '1.0',
        ce_id: event.eventId,
        ce_type: `agreements.${event.type}.v${event.metadata.schemaVersion}`,
        ce_source: '/agreements/test',
        ce_subject: event.streamId,
        ce_time: event.recordedAt,
        ce_dataschema: `urn:agreements:schema:${event.type}.v${event.metadata.schemaVersion}`,
        'content-type': 'application/json',
        ce_occurredat: event.metadata.occurredAt,
        ce_revision: String(event.revision),
        ce_position: event.position,
        ce_correlationid: event.metadata.correlationId,
        ce_causationid: event.metadata.causationId,
        ce_actor: event.metadata.actor,
      });
    }
    // partial business times are kept as written
    expect(events.some((m) => m.headers.ce_occurredat === '2017-01')).toBe(true);
    expectStreamsInRevisionOrder(events);

    // and the status topic's latest message per agreement is agreementView of the folded stream
    const latest = latestByKey(messages, topics.status);
    expect(agreementIds).toEqual(['astana-deescalation-memorandum']);
    for (const id of agreementIds) {
      expect(JSON.parse(latest.get(id)!.value!)).toEqual(expectedSummary(stored, id));
    }
    const memo = JSON.parse(latest.get('astana-deescalation-memorandum')!.value!);
    expect(memo).toMatchObject({ status: 'in-force', contested: true });

    expect(status).toMatchObject({
      checkpoint: stored[stored.length - 1].position,
      lagEvents: 0,
      lagMs: 0,
      publishedTotal: stored.length,
      errorsTotal: 0,
      lastError: null,
      brokerReachable: true,
      degraded: false,
    });
    expect(relayHealth(status).status).toBe('up');
    await store.close();
  });

  it('sends a batch larger than a produce request as several requests, in order, and checkpoints it once all are acknowledged', async () => {
    const store = await openStore('large-batch');
    const prefix = uniqueTopicPrefix('large-batch');
    const topics = topicNames(prefix);
    await appendWorkload(store, generateWorkload({ seed: 31, agreements: 60, processes: 6, eventsPerAgreement: 30, eventsPerProcess: 10 }));
    const stored = await allEvents(store);
    // Topics whose partitions take at most 128 KiB per request: one request for the whole batch would be refused.
    const admin = new Kafka({ clientId: 'test-large-batch', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [topics.events, topics.status].map((topic) => ({ topic, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: String(128 * 1024) }] })),
    });
    await admin.disconnect();
    // One batch for the whole store, in produce requests of at most 64 KiB (the smallest allowed).
    const { relay } = relayFor(store, prefix, { batchSize: 100_000, maxBatchBytes: 64 * 1024 * 1024, maxRequestBytes: 64 * 1024 });
    await relay.start();
    await relay.waitUntilCaughtUp(60_000);
    const status = await relay.status();
    await relay.stop();
    // The events alone need several requests.
    const bytes = stored
      .map((event) => eventMessage(event, '/agreements'))
      .reduce((sum, m) => sum + m.key.length + (m.value?.length ?? 0) + Object.entries(m.headers).reduce((h, [k, v]) => h + k.length + v.length, 0), 0);
    expect(bytes).toBeGreaterThan(4 * 64 * 1024);
    expect(status).toMatchObject({ batchesTotal: 1, publishedTotal: stored.length, checkpoint: stored[stored.length - 1].position });

    const agreementIds = [...new Set(stored.map((e) => parseStreamId(e.streamId)).filter((s) => s?.kind === 'agreement').map((s) => s!.id))];
    const messages = await consumeUntil(
      brokers,
      [topics.events, topics.status],
      (all) => eventsOf(all, topics.events).length >= stored.length && latestByKey(all, topics.status).size >= agreementIds.length,
    );
    const events = eventsOf(messages, topics.events);
    expect(events.map((m) => m.headers.ce_id).sort()).toEqual(stored.map((e) => e.eventId).sort());
    expectStreamsInRevisionOrder(events);
    // One summary per agreement for the batch: its state after the batch.
    const statuses = messages.filter((m) => m.topic === topics.status);
    expect(statuses).toHaveLength(agreementIds.length);
    const latest = latestByKey(messages, topics.status);
    for (const id of agreementIds) expect(JSON.parse(latest.get(id)!.value!)).toEqual(expectedSummary(stored, id));
    await store.close();
  });

  it('publishes a message of every event type that matches docs/asyncapi.yaml (value, headers, key), and status summaries that match it too', async () => {
    const store = await openStore('every-type');
    const prefix = uniqueTopicPrefix('types');
    const topics = topicNames(prefix);
    const { agreements } = await recordEveryEventType(store, 'x1');
    const stored = await allEvents(store);
    expect(new Set(stored.map((e) => e.type))).toEqual(new Set(allEventTypes));

    const { relay } = relayFor(store, prefix);
    await relay.start();
    await relay.waitUntilCaughtUp(60_000);
    const messages = await consumeUntil(
      brokers,
      [topics.events, topics.status],
      (all) => eventsOf(all, topics.events).length >= stored.length && agreements.every((id) => latestByKey(all, topics.status).has(id)),
    );
    await relay.stop();

    const validators = asyncApiValidators(parse(readFileSync(join(__dirname, '../../docs/asyncapi.yaml'), 'utf8')));
    const seenTypes = new Set<string>();
    for (const message of eventsOf(messages, topics.events)) {
      expect({ id: message.headers.ce_id, problems: validators.eventProblems(message.key, message.headers, JSON.parse(message.value!)) }).toEqual({
        id: message.headers.ce_id,
        problems: [],
      });
      seenTypes.add(message.headers.ce_type);
    }
    expect(seenTypes).toEqual(new Set(validators.messageNamesByCeType.keys()));

    const latest = latestByKey(messages, topics.status);
    for (const id of agreements) {
      const value = latest.get(id)!.value;
      const summary = value === null ? null : JSON.parse(value);
      expect(validators.statusProblems(id, summary)).toEqual([]);
      expect(summary).toEqual(expectedSummary(stored, id));
    }
    // the agreement whose drafting was retracted is a tombstone: compaction removes it
    expect(latest.get(agreements[3])!.value).toBeNull();
    expect(JSON.parse(latest.get(agreements[0])!.value!)).toMatchObject({ status: 'expired', contested: true });
    await store.close();
  });

  it('republishes from a position with the same ce_ids, and leaves the live relay\'s checkpoint where it was', async () => {
    const store = await openStore('republish');
    const prefix = uniqueTopicPrefix('republish');
    const topics = topicNames(prefix);
    await recordAstanaScenario(store);
    const stored = await allEvents(store);
    const checkpoints = await SqliteRelayCheckpointStore.open({ file: join(dir, 'republish-relay.sqlite') });
    const { relay } = relayFor(store, prefix, { checkpointStore: checkpoints });
    await relay.start();
    await relay.waitUntilCaughtUp(60_000);
    await relay.stop();
    const checkpointBefore = await checkpoints.load(relay.relayName);
    expect(checkpointBefore).toBe(stored[stored.length - 1].position);

    // When an operator republishes from the 10th event on
    const from = stored[9].position;
    const progress: string[] = [];
    const result = await republish({ eventStore: store, brokers, topicPrefix: prefix, from, batchSize: 5, onProgress: (p) => progress.push(p.position) });
    expect(result).toMatchObject({ events: stored.length - 9, first: from, last: stored[stored.length - 1].position });
    expect(progress.length).toBeGreaterThan(1);

    const messages = await consumeUntil(brokers, [topics.events], (all) => all.length >= stored.length + stored.length - 9);
    // Then the events from that position arrive a second time, with the same ids, keys, headers and values
    const copies = new Map<string, ConsumedMessage[]>();
    for (const m of messages) copies.set(m.headers.ce_id, [...(copies.get(m.headers.ce_id) ?? []), m]);
    stored.forEach((event, index) => {
      const list = copies.get(event.eventId) ?? [];
      expect({ id: event.eventId, copies: list.length }).toEqual({ id: event.eventId, copies: index >= 9 ? 2 : 1 });
      for (const copy of list) {
        expect(copy.headers).toEqual(list[0].headers);
        expect(copy.value).toEqual(list[0].value);
        expect(copy.key).toEqual(event.streamId);
      }
    });
    // and the live relay's checkpoint did not move
    expect(await checkpoints.load(relay.relayName)).toBe(checkpointBefore);
    await checkpoints.close();
    await store.close();
  });

  it('keeps the status summary current when events arrive one at a time while it runs (cached folds stay exact)', async () => {
    const store = await openStore('live');
    const prefix = uniqueTopicPrefix('live');
    const topics = topicNames(prefix);
    const { relay } = relayFor(store, prefix, { statusCacheSize: 1 });
    await relay.start();
    const RUS = { id: 'RUS', name: 'Russia' };
    const TUR = { id: 'TUR', name: 'Turkey' };
    await recordCommand(store, 'agreement', 'live-one', { type: 'DraftAgreement', occurredAt: '2017-05', data: { title: 'One', kind: 'ceasefire', parties: [RUS, TUR] } });
    await recordCommand(store, 'agreement', 'live-two', { type: 'DraftAgreement', occurredAt: '2017-05', data: { title: 'Two', kind: 'memorandum', parties: [RUS] } });
    await relay.waitUntilCaughtUp();
    await recordCommand(store, 'agreement', 'live-one', { type: 'SignAgreement', occurredAt: '2017-05-04', data: { signatories: [RUS] } });
    await recordCommand(store, 'agreement', 'live-two', { type: 'SignAgreement', occurredAt: '2017-05-04', data: { signatories: [RUS] } });
    await relay.waitUntilCaughtUp();
    await recordCommand(store, 'agreement', 'live-one', { type: 'RecordRejection', occurredAt: '2017-05-05', data: { party: TUR } });
    await relay.waitUntilCaughtUp();
    const stored = await allEvents(store);
    const messages = await consumeUntil(brokers, [topics.status], (all) => latestByKey(all, topics.status).get('live-one')?.value?.includes('"revision":2') === true);
    await relay.stop();
    const latest = latestByKey(messages, topics.status);
    expect(JSON.parse(latest.get('live-one')!.value!)).toEqual(expectedSummary(stored, 'live-one'));
    expect(JSON.parse(latest.get('live-two')!.value!)).toEqual(expectedSummary(stored, 'live-two'));
    expect(JSON.parse(latest.get('live-one')!.value!)).toMatchObject({ status: 'signed', contested: true });
    await store.close();
  });
});

describe('the Kafka relay with a bad configuration', () => {
  it('reports an invalid KAFKA_BROKERS in one clear log line and a degraded status, and attempts nothing', async () => {
    const store = await openStore('bad-config');
    const { relay, logger } = relayFor(store, 'bad.', { brokers: 'kafka://broker-without-port' });
    await relay.start();
    const status = await relay.status();
    expect(status).toMatchObject({ running: true, degraded: true, brokerReachable: false, errorsTotal: 1 });
    expect(status.configError).toMatch(/KAFKA_BROKERS must be a comma-separated list of host:port/);
    expect(relayHealth(status)).toMatchObject({ status: 'degraded', detail: expect.stringContaining('misconfigured: KAFKA_BROKERS') });
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toMatch(/^relay: not publishing to Kafka: KAFKA_BROKERS must be .* "kafka:\/\/broker-without-port"/);
    await relay.stop();
    await store.close();
  });

  it('keeps retrying an unreachable broker with clear log lines and a degraded status, without crashing or stopping; the store keeps taking commands', async () => {
    const store = await openStore('unreachable');
    const port = await freeTcpPort();
    const { relay, logger } = relayFor(store, 'unreachable.', { brokers: `127.0.0.1:${port}`, retryDelayMs: 100, maxRetryDelayMs: 400 });
    await relay.start();
    await recordCommand(store, 'agreement', 'waiting', { type: 'DraftAgreement', occurredAt: '2017', data: { title: 'Waits', kind: 'protocol', parties: [] } });
    const deadline = Date.now() + 30_000;
    while ((await relay.status()).errorsTotal < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const status = await relay.status();
    expect(status).toMatchObject({ running: true, degraded: true, brokerReachable: false, checkpoint: null, lagEvents: 1, publishedTotal: 0 });
    expect(status.errorsTotal).toBeGreaterThanOrEqual(3);
    expect(status.lastError).toMatchObject({ kind: 'broker', message: expect.stringMatching(/ECONNREFUSED|connect/i) });
    expect(status.lagMs).toBeGreaterThanOrEqual(0);
    expect(relayHealth(status)).toMatchObject({ status: 'degraded', detail: expect.stringContaining('Kafka unreachable') });
    const first = logger.lines.find((l) => l.level === 'error');
    expect(first?.msg).toMatch(new RegExp(`^relay: cannot publish to Kafka at 127\\.0\\.0\\.1:${port}: .*; retrying in 100 ms from position \\(start\\)`));
    expect(logger.lines.filter((l) => l.level === 'warn' && /failed attempt [2-9]/.test(l.msg)).length).toBeGreaterThanOrEqual(1);
    await relay.stop();
    await store.close();
  });
});
