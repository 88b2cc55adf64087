import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import { DEFAULT_RELAY_BATCH_SIZE, eventMessage, SqliteRelayCheckpointStore, topicNames } from '@agreements/messaging';
import { appendLoad, recordAstanaScenario, recordEveryEventType } from '../../libs/messaging/src/testing/scenarios';
import { ensureKafka, freeTcpPort, stopKafka, uniqueTopicPrefix } from '../support/kafka';
import { consumeUntil, eventsOf } from './support/consume';
import { type RelayProcess, startRelayProcess, waitFor } from './support/relay-process';

jest.setTimeout(300_000);

/**
 * The relay as the production process (apps/relay/src/main.ts) against a broker of its own
 * (own ports and data folder), which these tests stop and start: the shared development broker
 * is never touched.
 */
describe('the relay process', () => {
  let work: string;
  let broker: { port: number; controllerPort: number; homeDir: string };
  let brokers: string;
  const running: RelayProcess[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'relay-e2e-'));
    broker = { port: await freeTcpPort(), controllerPort: await freeTcpPort(), homeDir: join(work, 'kafka') };
    brokers = await ensureKafka(broker);
  }, 240_000);

  afterEach(async () => {
    for (const relay of running.splice(0)) await relay.kill();
  });

  afterAll(async () => {
    if (broker) await stopKafka(broker).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  async function relayProcess(env: Record<string, string>, options: { built?: boolean } = {}): Promise<RelayProcess> {
    const relay = await startRelayProcess({ KAFKA_PARTITIONS: '3', ...env }, options);
    running.push(relay);
    return relay;
  }

  const caughtUp = (relay: RelayProcess) => async () => {
    const ready = await relay.ready();
    return ready?.httpStatus === 200 && ready.body.relay.lagEvents === 0 && ready.body.relay.checkpoint !== null && ready;
  };

  it('publishes everything that was stored while the broker was down once it is back, reporting the outage meanwhile', async () => {
    const dataDir = join(work, 'outage');
    const prefix = uniqueTopicPrefix('outage');
    const store = await SqliteEventStore.open({ file: join(dataDir, 'events.sqlite') });
    await recordAstanaScenario(store);
    const relay = await relayProcess({ DATA_DIR: dataDir, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix });
    await waitFor('the relay to publish the scenario', caughtUp(relay), 60_000, relay.output);

    // Given the broker goes away while the relay has nothing to publish: it notices (probe), and says so
    await stopKafka(broker);
    const noticed = await waitFor(
      'the idle relay to notice the broker is gone',
      async () => {
        const ready = await relay.ready();
        return ready?.httpStatus === 503 && ready.body.relay.brokerReachable === false && ready;
      },
      30_000,
      relay.output,
    );
    expect(noticed.body.components.kafka.detail).toMatch(/^Kafka unreachable: /);
    // The log line comes from the same probe, written asynchronously: it may follow the health answer.
    const saysSo = /relay: Kafka at 127\.0\.0\.1:\d+ does not answer: .*; nothing is waiting to be published/;
    await waitFor('the relay to log that the broker is gone', async () => saysSo.test(relay.output()), 10_000, relay.output);

    // When commands keep coming: the store accepts every one of them
    const recorded = await recordEveryEventType(store, 'outage');
    expect(recorded.agreements).toHaveLength(5);
    // Then the relay says it cannot publish them yet, and keeps running
    const degraded = await waitFor(
      'the relay to fail publishing',
      async () => {
        const ready = await relay.ready();
        return ready !== undefined && ready.body.relay.errorsTotal > noticed.body.relay.errorsTotal && ready.body.relay.lagEvents > 0 && ready;
      },
      60_000,
      relay.output,
    );
    expect(degraded.httpStatus).toBe(503);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.relay.errorsTotal).toBeGreaterThan(1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(relay.child.exitCode).toBeNull();
    expect(relay.output()).toMatch(/relay: cannot publish to Kafka at 127\.0\.0\.1:\d+: .*retrying in \d+ ms from position \d+/);

    // When the broker is back
    await ensureKafka(broker);
    const brokerBack = Date.now();
    await waitFor('the relay to catch up after the outage', caughtUp(relay), 90_000, relay.output);
    // however long the backoff had grown, the relay notices the broker is back within seconds
    expect(Date.now() - brokerBack).toBeLessThan(15_000);
    expect(relay.output()).toMatch(/relay: Kafka is reachable again; publishing from position \d+/);

    // Then every stored event is on the topic
    const stored = await store.readAll();
    const topic = topicNames(prefix).events;
    const messages = await consumeUntil(brokers, [topic], (all) => new Set(all.map((m) => m.headers.ce_id)).size >= stored.length);
    expect(new Set(eventsOf(messages, topic).map((m) => m.headers.ce_id))).toEqual(new Set(stored.map((e) => e.eventId)));
    // exactly as the contract builds them (this process encodes records with the fast encoder)
    const byId = new Map(messages.map((m) => [m.headers.ce_id, m]));
    for (const event of stored) {
      const expected = eventMessage(event, '/agreements');
      const message = byId.get(event.eventId)!;
      expect({ key: message.key, value: message.value, headers: message.headers }).toEqual(expected);
    }
    const stopped = await relay.kill('SIGTERM');
    expect(stopped.code).toBe(0);
    await store.close();
  });

  it('loses nothing when the relay process is killed -9 in the middle of publishing: after a restart every event is there, duplicates only from the unacknowledged batch', async () => {
    const dataDir = join(work, 'crash');
    const prefix = uniqueTopicPrefix('crash');
    const store = await SqliteEventStore.open({ file: join(dataDir, 'events.sqlite') });
    const total = await appendLoad(store, { streams: 3000, eventsPerStream: 20, prefix: 'crash' });
    const env = { DATA_DIR: dataDir, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix };

    const first = await relayProcess(env);
    await waitFor('the relay to publish something', async () => ((await first.metric('agreements_relay_published_events_total')) ?? 0) >= 10_000, 60_000, first.output);
    const killed = await first.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    const checkpoints = await SqliteRelayCheckpointStore.open({ file: join(dataDir, 'relay.sqlite') });
    const checkpointAtCrash = Number(await checkpoints.load(`kafka:${topicNames(prefix).events}`));
    await checkpoints.close();
    expect(checkpointAtCrash).toBeGreaterThan(0);
    expect(checkpointAtCrash).toBeLessThan(total);

    const second = await relayProcess(env);
    await waitFor('the restarted relay to catch up', caughtUp(second), 120_000, second.output);
    expect(second.output()).toContain(`publishing from position ${checkpointAtCrash}`);
    expect((await second.kill('SIGTERM')).code).toBe(0);

    const topic = topicNames(prefix).events;
    const messages = await consumeUntil(brokers, [topic], (all) => new Set(all.map((m) => m.headers.ce_id)).size >= total, 120_000);
    const stored = await store.readAll();
    const seen = new Map<string, number>();
    for (const message of messages) seen.set(message.headers.ce_id, (seen.get(message.headers.ce_id) ?? 0) + 1);
    const missing = stored.filter((e) => !seen.has(e.eventId));
    expect(missing).toHaveLength(0);
    const duplicated = stored.filter((e) => (seen.get(e.eventId) ?? 0) > 1);
    // Only events after the checkpoint, within the one batch that was sent but not acknowledged+checkpointed.
    for (const event of duplicated) {
      expect(Number(event.position)).toBeGreaterThan(checkpointAtCrash);
      expect(Number(event.position)).toBeLessThanOrEqual(checkpointAtCrash + DEFAULT_RELAY_BATCH_SIZE);
      expect(seen.get(event.eventId)).toBe(2);
    }
    console.log(`kill -9 at checkpoint ${checkpointAtCrash} of ${total}: ${duplicated.length} duplicates, 0 missing`);
    await store.close();
  });

  it('the built relay (dist/, as npm run start:relay runs it) writes its records with the fast encoder, which says so in /metrics and the log', async () => {
    const dataDir = join(work, 'built');
    const store = await SqliteEventStore.open({ file: join(dataDir, 'events.sqlite') });
    await recordAstanaScenario(store);
    const stored = await store.readAll();
    const prefix = uniqueTopicPrefix('built');
    const relay = await relayProcess({ DATA_DIR: dataDir, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }, { built: true });
    await waitFor('the built relay to publish the scenario', caughtUp(relay), 60_000, relay.output);

    expect(relay.output()).toMatch(/"recordEncoder":"fast".*relay: publishing to /);
    expect(await relay.metric('agreements_relay_fast_record_encoder')).toBe(1);
    // Counted by the encoder each time kafkajs calls it: every event and summary went through it.
    const published = (await relay.metric('agreements_relay_published_events_total'))! + (await relay.metric('agreements_relay_published_statuses_total'))!;
    expect(published).toBeGreaterThanOrEqual(stored.length);
    expect(await relay.metric('agreements_relay_fast_encoded_records_total')).toBeGreaterThanOrEqual(published);

    // and the records are the contract's, byte for byte as a consumer reads them
    const topic = topicNames(prefix).events;
    const messages = await consumeUntil(brokers, [topic], (all) => new Set(all.map((m) => m.headers.ce_id)).size >= stored.length);
    const byId = new Map(eventsOf(messages, topic).map((m) => [m.headers.ce_id, m]));
    for (const event of stored) {
      const message = byId.get(event.eventId)!;
      expect({ key: message.key, value: message.value, headers: message.headers }).toEqual(eventMessage(event, '/agreements'));
    }
    expect((await relay.kill('SIGTERM')).code).toBe(0);

    // With the encoder turned off, the same gauges say kafkajs' own encoder wrote the records.
    const plain = await relayProcess(
      { DATA_DIR: dataDir, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: uniqueTopicPrefix('built-plain'), AGREEMENTS_KAFKAJS_FAST_RECORDS: '0' },
      { built: true },
    );
    await waitFor('the built relay with kafkajs\' encoder to publish the scenario', caughtUp(plain), 60_000, plain.output);
    expect(plain.output()).toMatch(/"recordEncoder":"kafkajs"/);
    expect(await plain.metric('agreements_relay_fast_record_encoder')).toBe(0);
    expect(await plain.metric('agreements_relay_fast_encoded_records_total')).toBe(0);
    expect((await plain.kill('SIGTERM')).code).toBe(0);
    await store.close();
  });

  it('exits at once with a clear message when KAFKA_BROKERS is not set', async () => {
    const relay = await relayProcess({ DATA_DIR: join(work, 'unset'), KAFKA_BROKERS: '' });
    const exit = await relay.exited;
    expect(exit.code).toBe(1);
    expect(relay.output()).toContain('KAFKA_BROKERS is not set: the relay has nothing to publish to');
  });

  it('stays up, degraded, with one clear log line when KAFKA_BROKERS is malformed', async () => {
    const relay = await relayProcess({ DATA_DIR: join(work, 'malformed'), KAFKA_BROKERS: 'localhost' });
    const ready = await waitFor('the health endpoint', () => relay.ready(), 30_000, relay.output);
    expect(ready.httpStatus).toBe(503);
    expect(ready.body.components.kafka.detail).toBe('misconfigured: KAFKA_BROKERS must be a comma-separated list of host:port, such as 127.0.0.1:9092; "localhost" has no port');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(relay.child.exitCode).toBeNull();
    expect(relay.output().match(/not publishing to Kafka: KAFKA_BROKERS must be/g)).toHaveLength(1);
    expect((await relay.kill('SIGTERM')).code).toBe(0);
  });

  it('stays up, degraded, retrying, when the broker is unreachable at start; and stops cleanly on SIGTERM', async () => {
    const relay = await relayProcess({ DATA_DIR: join(work, 'unreachable'), KAFKA_BROKERS: `127.0.0.1:${await freeTcpPort()}` });
    const ready = await waitFor(
      'two failed attempts',
      async () => {
        const r = await relay.ready();
        return r !== undefined && r.body.relay.errorsTotal >= 2 && r;
      },
      60_000,
      relay.output,
    );
    expect(ready.httpStatus).toBe(503);
    expect(ready.body.components.kafka).toMatchObject({ status: 'degraded', brokerReachable: false });
    expect(relay.output()).toMatch(/"level":50.*relay: cannot publish to Kafka at 127\.0\.0\.1:\d+: .*retrying in 500 ms from position \(start\)/);
    expect(relay.child.exitCode).toBeNull();
    expect((await relay.kill('SIGTERM')).code).toBe(0);
  });
});
