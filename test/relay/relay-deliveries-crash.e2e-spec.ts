import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import { PostgresRelayCheckpointStore, type RelayCheckpointStore, SqliteRelayCheckpointStore, topicNames } from '@agreements/messaging';
import { appendLoad } from '../../libs/messaging/src/testing/scenarios';
import { dropSchema, TEST_DATABASE_URL } from '../support/app';
import { deleteTopics, ensureKafka, uniqueTopicPrefix } from '../support/kafka';
import { consumeUntil, eventsOf } from './support/consume';
import { type RelayProcess, startRelayProcess, waitFor } from './support/relay-process';

jest.setTimeout(300_000);

interface CheckpointPlace {
  env: Record<string, string>;
  open(): Promise<RelayCheckpointStore>;
  drop(): Promise<void>;
}

/** Where apps/relay keeps its checkpoint and delivery record: DATA_DIR/relay.sqlite, or PostgreSQL with DATABASE_URL. */
const PLACES: Array<[string, (dataDir: string) => CheckpointPlace]> = [
  [
    'DATA_DIR/relay.sqlite',
    (dataDir) => ({ env: {}, open: () => SqliteRelayCheckpointStore.open({ file: join(dataDir, 'relay.sqlite') }), drop: async () => undefined }),
  ],
  [
    'PostgreSQL (DATABASE_URL)',
    () => {
      const schema = `relay_deliveries_${process.pid}_${Date.now().toString(36)}`;
      return {
        env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema },
        open: () => PostgresRelayCheckpointStore.open({ connectionString: TEST_DATABASE_URL, schema }),
        drop: () => dropSchema(schema),
      };
    },
  ],
];

/**
 * The relay process (apps/relay, with the fast record encoder) killed -9 between the broker's
 * acknowledgement of a batch and the transaction that records the batch's deliveries with the
 * checkpoint. The kill is real: AGREEMENTS_TEST_KILL_AFTER_ACKS=2 makes the process SIGKILL itself
 * right after the second acknowledgement (libs/messaging/src/kafka/crash-after-ack.ts; the hook
 * exists only when that variable is set).
 */
describe('the delivery record across a relay crash between the ack and the record', () => {
  let work: string;
  let brokers: string;
  const prefixes: string[] = [];
  const running: RelayProcess[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'relay-deliveries-'));
    brokers = await ensureKafka();
  });
  afterEach(async () => {
    for (const relay of running.splice(0)) await relay.kill();
  });
  afterAll(async () => {
    if (brokers) await deleteTopics(brokers, prefixes);
    rmSync(work, { recursive: true, force: true });
  });

  async function relayProcess(env: Record<string, string>): Promise<RelayProcess> {
    const relay = await startRelayProcess({ KAFKA_PARTITIONS: '3', ...env });
    running.push(relay);
    return relay;
  }

  it.each(PLACES)('leaves no event without a delivery once the relay is back, each naming the message a consumer reads there (%s)', async (label, placeIn) => {
    const dataDir = mkdtempSync(join(work, 'crash-'));
    const place = placeIn(dataDir);
    const prefix = uniqueTopicPrefix('deliveries-crash');
    prefixes.push(prefix);
    const store = await SqliteEventStore.open({ file: join(dataDir, 'events.sqlite') });
    const total = await appendLoad(store, { streams: 1500, eventsPerStream: 10, prefix: 'deliv' });
    const stored = await store.readAll();
    expect(stored).toHaveLength(total);
    const env = { DATA_DIR: dataDir, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, ...place.env };
    const topic = topicNames(prefix).events;
    const relayName = `kafka:${topic}`;

    // Given the relay dies by SIGKILL right after the broker acknowledged its second batch
    const first = await relayProcess({ ...env, AGREEMENTS_TEST_KILL_AFTER_ACKS: '2' });
    let timer: NodeJS.Timeout | undefined;
    const died = await Promise.race([first.exited, new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), 120_000)))]);
    clearTimeout(timer);
    expect(died).toEqual({ code: null, signal: 'SIGKILL' });

    // Then the checkpoint is where the first batch ended, with exactly its events recorded,
    const atCrash = await place.open();
    const checkpointAtCrash = Number(await atCrash.load(relayName));
    expect(checkpointAtCrash).toBeGreaterThan(0);
    expect(checkpointAtCrash).toBeLessThan(total);
    for (const event of stored) {
      const recorded = await atCrash.deliveriesOf(event);
      expect({ position: event.position, n: recorded.length }).toEqual({ position: event.position, n: Number(event.position) <= checkpointAtCrash ? 1 : 0 });
    }
    await atCrash.close();
    // while the broker holds acknowledged events after it (the window the crash hit)
    const beforeRestart = await consumeUntil(brokers, [topic], (all) => all.length > checkpointAtCrash, 60_000);
    expect(new Set(beforeRestart.map((m) => m.headers.ce_id)).size).toBeGreaterThan(checkpointAtCrash);

    // When the relay is back (no hook)
    const second = await relayProcess(env);
    await waitFor(
      'the restarted relay to catch up',
      async () => {
        const ready = await second.ready();
        return ready?.httpStatus === 200 && ready.body.relay.lagEvents === 0 && ready.body.relay.checkpoint !== null;
      },
      120_000,
      second.output,
    );
    expect(second.output()).toContain(`publishing from position ${checkpointAtCrash}`);
    // offsets located under the fast record encoder, as in production
    expect(second.output()).toMatch(/"recordEncoder":"fast"/);
    expect((await second.kill('SIGTERM')).code).toBe(0);

    // Then every event has a delivery, the checkpoint is the store's head, and each delivery names
    // the message that carries that event; the re-sent events are on the topic twice, recorded once.
    const checkpoints = await place.open();
    expect(await checkpoints.load(relayName)).toBe(await store.headPosition());
    const recorded = new Map<string, { partition: number; offset: string }>();
    for (const event of stored) {
      const deliveries = await checkpoints.deliveriesOf(event);
      expect({ position: event.position, n: deliveries.length }).toEqual({ position: event.position, n: 1 });
      recorded.set(event.eventId, deliveries[0]);
    }
    const wanted = new Set([...recorded.values()].map((d) => `${d.partition}/${d.offset}`));
    const messages = await consumeUntil(brokers, [topic], (all) => all.filter((m) => wanted.has(`${m.partition}/${m.offset}`)).length >= wanted.size, 120_000);
    const at = new Map(eventsOf(messages, topic).map((m) => [`${m.partition}/${m.offset}`, m.headers.ce_id]));
    const copies = new Map<string, number>();
    for (const m of messages) copies.set(m.headers.ce_id, (copies.get(m.headers.ce_id) ?? 0) + 1);
    let resent = 0;
    for (const event of stored) {
      const delivery = recorded.get(event.eventId)!;
      expect({ position: event.position, carries: at.get(`${delivery.partition}/${delivery.offset}`) }).toEqual({ position: event.position, carries: event.eventId });
      if (Number(event.position) > checkpointAtCrash && (copies.get(event.eventId) ?? 0) > 1) resent += 1;
    }
    expect(resent).toBeGreaterThan(0);
    await checkpoints.close();
    await store.close();
    await place.drop();
    console.log(`${label}: kill -9 after the ack of batch 2, checkpoint ${checkpointAtCrash} of ${total}: ${resent} events re-sent, each recorded once; 0 without a delivery`);
  });
});
