import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import { topicNames } from '@agreements/messaging';
import { openReadModelStore, rebuildReadModels } from '@agreements/read-models';
import { dumpReadModels } from '../../libs/read-models/src/testing/dump';
import { apiClient, type ApiClient } from '../support/app';
import { CrashClientCommands } from '../support/crash-client';
import { ensureKafka, uniqueTopicPrefix } from '../support/kafka';
import { type ServerProcess, startServerProcess } from '../support/process';
import { consumeUntil, eventsOf } from '../relay/support/consume';
import { waitFor } from '../relay/support/relay-process';

jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The production shape on one machine: the API, the projector and the relay as three OS processes
 * on one data directory (embedded event store, SQLite read models) and a real broker. While 20
 * clients post commands, the projector is killed -9 and restarted, then the relay. Afterwards:
 * every acknowledged command is stored once, the read models equal a rebuild from the log (no
 * event lost or applied twice), and the topic holds every stored event and nothing else.
 */
describe('kill -9 of the projector and of the relay process under load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agreements-crash-processes-'));
  const running: ServerProcess[] = [];
  afterAll(async () => {
    for (const process of running) await process.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(app: 'api' | 'projector' | 'relay', env: Record<string, string>): Promise<ServerProcess> {
    const started = await startServerProcess({ DATA_DIR: dataDir, ...env }, { app, waitForReady: app === 'api' });
    running.push(started);
    return started;
  }

  /** The relay's part of its /health/ready, or undefined while it does not answer. */
  async function relayLag(relay: ServerProcess): Promise<number | undefined> {
    try {
      const body: any = await (await fetch(`${relay.base}/health/ready`)).json();
      return body.relay?.checkpoint === null ? undefined : body.relay?.lagEvents;
    } catch {
      return undefined;
    }
  }

  it('loses nothing, applies nothing twice and publishes only what was stored', async () => {
    const brokers = await ensureKafka();
    const prefix = uniqueTopicPrefix('crash-processes');
    const kafka = { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '3' };
    const api = await start('api', { RUN_PROJECTOR: 'false', RUN_RELAY: 'false' });
    let projector = await start('projector', {});
    let relay = await start('relay', kafka);
    const client: ApiClient = apiClient(api.base);

    const acknowledged = new Set<string>();
    let stop = false;
    const post = async (n: number) => {
      const commands = new CrashClientCommands(`crash-processes-${n}`, n);
      while (!stop) {
        const { path, body } = commands.next();
        const r = await client.post(path, body);
        if (r.status !== 201) throw new Error(`unexpected ${r.status} ${r.text}`);
        acknowledged.add(body.commandId);
        commands.acknowledged();
      }
    };
    const clients = Array.from({ length: 20 }, (_, n) => post(n));

    await sleep(1500);
    await projector.kill('SIGKILL');
    expect(projector.child.signalCode).toBe('SIGKILL');
    await sleep(1000);
    projector = await start('projector', {});
    await sleep(1500);
    await relay.kill('SIGKILL');
    expect(relay.child.signalCode).toBe('SIGKILL');
    await sleep(1000);
    relay = await start('relay', kafka);
    await sleep(1500);
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.size).toBeGreaterThan(200);

    // Every acknowledged command is stored, once.
    const store = await SqliteEventStore.open({ file: join(dataDir, 'events.sqlite') });
    try {
      const stored = await store.readAll();
      const perCommand = new Map<string, number>();
      for (const event of stored) perCommand.set(event.metadata.commandId, (perCommand.get(event.metadata.commandId) ?? 0) + 1);
      expect({ missing: [...acknowledged].filter((id) => !perCommand.has(id)), twice: [...perCommand].filter(([, n]) => n !== 1) }).toEqual({ missing: [], twice: [] });
      const head = (await store.headPosition())!;

      // The restarted projector catches up (the API's Min-Position gate says so) ...
      await waitFor(
        'the restarted projector to reach the head',
        async () => (await client.get('/v1/agreements?limit=1', { headers: { 'min-position': head } })).status === 200,
        60_000,
        projector.output,
      );
      await projector.kill('SIGTERM');
      // ... and its read models are row for row what a rebuild from the log makes.
      const live = await openReadModelStore({ dataDir });
      const clean = await openReadModelStore({ dataDir: mkdtempSync(join(dataDir, 'rebuilt-')) });
      try {
        await rebuildReadModels(store, clean);
        const [liveDump, cleanDump] = [await dumpReadModels(live), await dumpReadModels(clean)];
        expect(liveDump.checkpoint).toBe(head);
        expect(liveDump.tables).toEqual(cleanDump.tables);
      } finally {
        await live.close();
        await clean.close();
      }

      // The restarted relay publishes every stored event; the topic holds nothing that was not stored.
      await waitFor('the restarted relay to catch up', async () => (await relayLag(relay)) === 0, 60_000, relay.output);
      const topic = topicNames(prefix).events;
      const storedIds = new Set(stored.map((event) => event.eventId));
      const messages = eventsOf(await consumeUntil(brokers, [topic], (all) => new Set(all.map((m) => m.headers.ce_id)).size >= storedIds.size, 60_000), topic);
      const published = new Set(messages.map((m) => m.headers.ce_id));
      console.log(`${acknowledged.size} commands acknowledged, ${stored.length} events stored, ${messages.length} messages for them (${messages.length - published.size} sent twice)`);
      expect({ unpublished: [...storedIds].filter((id) => !published.has(id)), notStored: [...published].filter((id) => !storedIds.has(id)) }).toEqual({
        unpublished: [],
        notStored: [],
      });
    } finally {
      await store.close();
    }
  });
});
