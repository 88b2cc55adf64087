import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { API_KEYS, MEMORANDUM, TestApp, TOKENS, astana, startTestApp } from '../support/app';
import { deleteTopics, ensureKafka, uniqueTopicPrefix } from '../support/kafka';

const ROOT = join(__dirname, '..', '..');

interface Consumed {
  topic: string;
  key: string;
  value: any;
  headers: Record<string, string>;
}

/** Reads both topics from the beginning until `done` holds (or 60 s pass). */
async function consume(brokers: string, prefix: string, done: (messages: Consumed[]) => boolean): Promise<Consumed[]> {
  const kafka = new Kafka({ clientId: 'app-kafka-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${prefix}reader-${randomUUID()}` });
  const messages: Consumed[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [`${prefix}agreements.events.v1`, `${prefix}agreements.status.v1`], fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${messages.length} messages within 60 s`)), 60_000);
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          messages.push({
            topic: topic.slice(prefix.length),
            key: message.key!.toString(),
            value: message.value ? JSON.parse(message.value.toString()) : null,
            headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
          });
          if (done(messages)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

describe.each([
  ['on a worker thread of its own, as npm start runs it', 'true'],
  ['on the API thread (RELAY_THREAD=false)', 'false'],
])('the API with KAFKA_BROKERS set: the relay runs in the same process, %s', (_, relayThread) => {
  let brokers: string;
  let t: TestApp;
  const prefix = uniqueTopicPrefix('app');

  beforeAll(async () => {
    brokers = await ensureKafka();
    t = await startTestApp({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '3', RELAY_THREAD: relayThread });
  });
  afterAll(async () => {
    await t?.close();
    if (brokers) await deleteTopics(brokers, [prefix]);
  });

  it('publishes every event of the Astana scenario and each agreement status; republish sends the same ce_ids again', async () => {
    const positions: string[] = [];
    let lastEventId = '';
    for (const step of astana.steps) {
      const r = await t.api.post(step.path, { ...step.body, commandId: randomUUID() });
      expect(r.status).toBe(201);
      positions.push(r.json.position);
      lastEventId = r.json.events.at(-1).eventId;
    }
    // The API's event loop (this test's too) is held for a while right after the last command.
    const blockedUntil = Date.now() + 1500;
    while (Date.now() < blockedUntil) {
      // busy: no timer, socket or promise of this thread runs
    }
    const stored = await t.runtime.eventStore.readAll();
    const events = (m: Consumed[]) => m.filter((x) => x.topic === 'agreements.events.v1');
    // The two topics are consumed independently: wait for the memorandum's latest summary too.
    const memorandumHead = stored.filter((e) => e.streamId === `agreement-${MEMORANDUM}`).at(-1)!.revision;
    const first = await consume(
      brokers,
      prefix,
      (m) =>
        events(m).length >= stored.length &&
        m.some((x) => x.topic === 'agreements.status.v1' && x.key === MEMORANDUM && x.value?.revision === memorandumHead),
    );
    expect(events(first).map((m) => m.headers.ce_id).sort()).toEqual(stored.map((e) => e.eventId).sort());
    const signed = events(first).find((m) => m.headers.ce_type === 'agreements.MemorandumSigned.v1')!;
    expect(signed.key).toBe(`agreement-${MEMORANDUM}`);
    expect(signed.headers).toMatchObject({ ce_specversion: '1.0', ce_source: '/agreements', ce_occurredat: '2017-05-04', ce_actor: 'desk-1' });

    const view = (await t.api.get(`/v1/agreements/${MEMORANDUM}`, { headers: { 'min-position': positions.at(-1)! } })).json;
    const statuses = first.filter((m) => m.topic === 'agreements.status.v1' && m.key === MEMORANDUM);
    const latest = statuses.reduce((a, b) => (b.value.revision > a.value.revision ? b : a));
    // The summary's parties are the view's without their status history (the topic carries the state now).
    const parties = view.parties.map(({ id, name, status, members }: any) => ({ id, name, status, ...(members ? { members } : {}) }));
    expect(latest.value).toMatchObject({
      status: view.status,
      adoptedAt: view.adoptedAt,
      contested: view.contested,
      disputes: view.disputes,
      endorsements: view.endorsements,
      revision: view.revision,
      parties,
    });

    const relay = t.runtime.background.find((s) => s.name === 'relay') as unknown as { relay: { waitUntilCaughtUp(ms: number): Promise<void> } };
    await relay.relay.waitUntilCaughtUp(30_000);
    const [delivery] = (await t.api.get(`/v1/events/${lastEventId}/deliveries`, { token: TOKENS.auditor })).json;
    // On its own thread the relay published the last event while the API's loop was held: the
    // broker's acknowledgement came in before the loop was free again.
    if (relayThread === 'true') expect(Date.parse(delivery.publishedAt)).toBeLessThan(blockedUntil);
    const ready = await t.api.get('/health/ready', { token: null });
    expect(ready.json.components.kafka.status).toBe('up');
    const metrics = await t.api.get('/metrics', { token: null });
    expect(metrics.text).toMatch(/agreements_relay_published_events_total [1-9]\d*/);
    // Read from the relay's status, wherever it runs (under jest it keeps kafkajs' own encoder).
    expect(metrics.text).toMatch(/agreements_relay_fast_record_encoder 0/);

    // An operator republishes from the memorandum's signature on: the same ce_ids arrive again.
    const from = stored.find((e) => e.type === 'MemorandumSigned')!.position;
    const cli = spawnSync(
      process.execPath,
      ['-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/cli/src/main.js'), 'republish', '--from', from],
      {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: t.dataDir, API_KEYS, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect({ code: cli.status, err: cli.stderr }).toEqual({ code: 0, err: '' });
    const republished = stored.filter((e) => Number(e.position) >= Number(from));
    expect(cli.stdout).toContain(`republished ${republished.length} events`);
    const again = await consume(brokers, prefix, (m) => events(m).length >= stored.length + republished.length);
    const ids = events(again).map((m) => m.headers.ce_id);
    for (const e of republished) expect(ids.filter((id) => id === e.eventId)).toHaveLength(2);
  });
});
