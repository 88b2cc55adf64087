import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import pino from 'pino';
import { loadConfig, openRelay } from '@agreements/platform';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { EventPublisher, silentLogger, topicNames } from '@agreements/messaging';
import { recordAstanaScenario } from '../../libs/messaging/src/testing/scenarios';
import { astana, dropSchema, startTestApp, type TestApp, TEST_DATABASE_URL, TOKENS } from '../support/app';
import { deleteTopics, ensureKafka, uniqueTopicPrefix } from '../support/kafka';
import { consumeUntil, eventsOf } from './support/consume';

jest.setTimeout(180_000);

const asAuditor = { token: TOKENS.auditor };

async function recordAstana(t: TestApp): Promise<void> {
  for (const step of astana.steps) {
    const r = await t.api.post(step.path, { ...step.body, commandId: randomUUID() });
    expect(r.status).toBe(201);
  }
}

/**
 * Reads the events topic back and checks that every stored event's recorded deliveries name a
 * message that carries that event (topic, partition, offset -> the same ce_id).
 */
async function expectDeliveriesMatchTheTopic(t: TestApp, brokers: string, prefix: string): Promise<void> {
  const stored = await t.runtime.eventStore.readAll();
  const topic = topicNames(prefix).events;
  const messages = await consumeUntil(brokers, [topic], (all) => all.length >= stored.length);
  const at = new Map(eventsOf(messages, topic).map((m) => [`${m.partition}/${m.offset}`, m.headers.ce_id]));
  for (const event of stored) {
    const r = await t.api.get(`/v1/events/${event.eventId}/deliveries`, asAuditor);
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(1);
    const [delivery] = r.json;
    expect(delivery).toEqual({ topic, partition: expect.any(Number), offset: expect.stringMatching(/^\d+$/), publishedAt: expect.any(String) });
    expect(new Date(delivery.publishedAt).toISOString()).toBe(delivery.publishedAt);
    expect({ eventId: event.eventId, at: at.get(`${delivery.partition}/${delivery.offset}`) }).toEqual({ eventId: event.eventId, at: event.eventId });
  }
}

describe('GET /v1/events/{eventId}/deliveries', () => {
  let brokers: string;
  const prefixes: string[] = [];
  beforeAll(async () => {
    brokers = await ensureKafka();
  });
  afterAll(async () => {
    if (brokers) await deleteTopics(brokers, prefixes);
  });

  describe('with the relay in the API process (embedded default, relay.sqlite)', () => {
    let t: TestApp;
    const prefix = uniqueTopicPrefix('deliveries');
    prefixes.push(prefix);
    beforeAll(async () => {
      t = await startTestApp({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '3' });
      await recordAstana(t);
      const relay = t.runtime.background.find((s) => s.name === 'relay') as unknown as { relay: { waitUntilCaughtUp(ms: number): Promise<void> } };
      await relay.relay.waitUntilCaughtUp(60_000);
    });
    afterAll(() => t?.close());

    it('answers where each event landed, and a consumer finds that very event there', async () => {
      await expectDeliveriesMatchTheTopic(t, brokers, prefix);
    });

    it('is 404 EVENT_NOT_FOUND for an id the store does not hold, 400 for one that is not an event id, 403 for a reader', async () => {
      const unknown = await t.api.get(`/v1/events/${randomUUID()}/deliveries`, asAuditor);
      expect(unknown.status).toBe(404);
      expect(unknown.json.error.code).toBe('EVENT_NOT_FOUND');

      const bad = await t.api.get('/v1/events/not-an-id/deliveries', asAuditor);
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'eventId', message: 'must be an event id (a UUID)' }] });

      const [first] = await t.runtime.eventStore.readAll({ maxCount: 1 });
      const extra = await t.api.get(`/v1/events/${first.eventId}/deliveries?limit=5`, asAuditor);
      expect(extra.status).toBe(400);
      expect(extra.json.error.details[0].field).toBe('limit');

      expect((await t.api.get(`/v1/events/${first.eventId}/deliveries`)).status).toBe(403);
      expect((await t.api.get(`/v1/events/${first.eventId}/deliveries`, { token: null })).status).toBe(401);
    });

    it('is in the OpenAPI document with its answers', async () => {
      const doc = (await t.api.get('/docs-json', { token: null })).json;
      const op = doc.paths['/v1/events/{eventId}/deliveries'].get;
      expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '404']);
      expect(op.responses['200'].content['application/json'].schema.items.required).toEqual(['topic', 'partition', 'offset', 'publishedAt']);
    });
  });

  it('locates every event when a batch goes out in several produce requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deliveries-slices-'));
    const store = await SqliteEventStore.open({ file: join(dir, 'events.sqlite') });
    const prefix = uniqueTopicPrefix('deliveries-slices');
    prefixes.push(prefix);
    const kafka = new Kafka({ clientId: 'deliveries-slices', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    // At most 2 KiB per request: the scenario's one batch goes out in several requests.
    const publisher = new EventPublisher({ kafka, eventStore: store, topics: topicNames(prefix), source: '/agreements', partitions: 3, logger: silentLogger, maxRequestBytes: 2048 });
    try {
      await recordAstanaScenario(store);
      const stored = await store.readAll();
      await publisher.connect();
      const sendBatch = jest.spyOn((publisher as unknown as { producer: Producer }).producer, 'sendBatch');
      const published = await publisher.publish(stored);
      expect(sendBatch.mock.calls.length).toBeGreaterThan(3);

      const topic = topicNames(prefix).events;
      const messages = await consumeUntil(brokers, [topic], (all) => all.length >= stored.length);
      const at = new Map(messages.map((m) => [`${m.partition}/${m.offset}`, m.headers.ce_id]));
      expect(published.deliveries.map((d) => d.eventId)).toEqual(stored.map((e) => e.eventId));
      for (const d of published.deliveries) expect({ event: d.eventId, carries: at.get(`${d.partition}/${d.offset}`) }).toEqual({ event: d.eventId, carries: d.eventId });
    } finally {
      await publisher.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers [] for a stored event when Kafka is off', async () => {
    const t = await startTestApp();
    try {
      await recordAstana(t);
      const [first] = await t.runtime.eventStore.readAll({ maxCount: 1 });
      const r = await t.api.get(`/v1/events/${first.eventId}/deliveries`, asAuditor);
      expect({ status: r.status, body: r.json }).toEqual({ status: 200, body: [] });
    } finally {
      await t.close();
    }
  });

  it('reads what a relay outside the API process recorded in PostgreSQL (DATABASE_URL)', async () => {
    const schema = `deliveries_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const prefix = uniqueTopicPrefix('deliveries-pg');
    prefixes.push(prefix);
    // The API as in production: no relay of its own.
    const t = await startTestApp({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, RUN_RELAY: 'false' });
    try {
      await recordAstana(t);
      const [first] = await t.runtime.eventStore.readAll({ maxCount: 1 });
      expect((await t.api.get(`/v1/events/${first.eventId}/deliveries`, asAuditor)).json).toEqual([]);

      // apps/relay's wiring (openRelay), with its own configuration, on the same database.
      const config = loadConfig({
        DATA_DIR: t.dataDir,
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: schema,
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_PARTITIONS: '3',
      });
      const relay = await openRelay(config, t.runtime.eventStore, pino({ level: 'silent' }));
      try {
        await relay.relay.waitUntilCaughtUp(60_000);
      } finally {
        await relay.stop();
      }
      await expectDeliveriesMatchTheTopic(t, brokers, prefix);
    } finally {
      await t.close();
      await dropSchema(schema);
    }
  });
});
