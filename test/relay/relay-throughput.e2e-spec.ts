import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import { topicNames } from '@agreements/messaging';
import { Kafka, logLevel } from 'kafkajs';
import { appendLoad } from '../../libs/messaging/src/testing/scenarios';
import { deleteTopics, ensureKafka, uniqueTopicPrefix } from '../support/kafka';
import { startRelayProcess, waitFor } from './support/relay-process';

jest.setTimeout(300_000);

// RELAY_BENCH_EVENTS=400000 for a longer measurement; the default keeps the test short.
const EVENTS = Number(process.env.RELAY_BENCH_EVENTS ?? 100_000);
const PER_STREAM = 20;

/**
 * Throughput of the production process (apps/relay/src/main.ts, run by Node's own module loader,
 * so with the fast record encoder) from a pre-filled embedded store to the local broker, topic
 * creation excluded. The floor is far below what it does, so that a busy shared machine does not
 * fail it; the number is printed.
 */
describe('relay throughput to a local broker', () => {
  let dir: string;
  let brokers: string;
  const prefix = uniqueTopicPrefix('bench');
  beforeAll(async () => {
    brokers = await ensureKafka();
    dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  }, 240_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await deleteTopics(brokers, [prefix]);
  });

  it(`publishes ${EVENTS} stored events, and all of them reach the topic`, async () => {
    const store = await SqliteEventStore.open({ file: join(dir, 'events.sqlite') });
    const total = await appendLoad(store, { streams: Math.ceil(EVENTS / PER_STREAM), eventsPerStream: PER_STREAM, prefix: 'bench' });
    await store.close();
    const relay = await startRelayProcess({ DATA_DIR: dir, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' });
    try {
      const published = () => relay.metric('agreements_relay_published_events_total');
      const startedAt = await waitFor('the first batch', async () => ((await published()) ?? 0) > 0 && Date.now(), 60_000, relay.output);
      const first = (await published())!;
      await waitFor('the relay to catch up', async () => (await relay.metric('agreements_relay_lag_events')) === 0, 240_000, relay.output);
      const seconds = (Date.now() - startedAt) / 1000;
      const rate = Math.round((total - first) / seconds);
      console.log(`relay throughput: ${total - first} events in ${seconds.toFixed(2)} s = ${rate} events/s (process, ${PER_STREAM} events per agreement stream)`);
      expect(await published()).toBe(total);

      const admin = new Kafka({ clientId: 'bench-check', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topicNames(prefix).events);
      await admin.disconnect();
      expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(total);
      expect(rate).toBeGreaterThan(3000);
    } finally {
      await relay.kill('SIGTERM');
    }
  });
});
