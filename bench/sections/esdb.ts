// Section 5: the EventStoreDB adapter over gRPC (against the in-memory test server in its own
// process) beside the embedded store, on the same work, so the cost of the adapter shows.
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  type CommandDecider,
  EsdbEventStore,
  type EventStore,
  type EventToAppend,
  handleCommand,
  SqliteEventStore,
} from '@agreements/event-store';
import { OCCURRED_AT } from '../lib/http-commands';
import { startEsdbTestServer } from '../lib/processes';
import type { Report } from '../lib/report';
import { formatNumber, now, progress, type Scope } from '../lib/util';
import { concurrentAppends, STREAMS, WRITERS } from './store';

export interface EsdbSizes {
  /** Command appends (1 event + command log) by 50 writers, and as many commands through handleCommand. */
  commands: number;
  /** Events added afterwards by plain appends of 20 events, so catch-up reads a longer log. */
  bulkEvents: number;
}

export const esdbSizes = (quick: boolean): EsdbSizes =>
  quick ? { commands: 1000, bulkEvents: 4000 } : { commands: 5000, bulkEvents: 45_000 };

const BULK_APPEND_SIZE = 20;
const PAGE = 5000;

async function bulkFill(store: EventStore, events: number): Promise<void> {
  const appends = Math.ceil(events / BULK_APPEND_SIZE);
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < appends) {
        const n = next;
        next += 1;
        const batch: EventToAppend[] = Array.from({ length: BULK_APPEND_SIZE }, (_, i) => {
          const id = randomUUID();
          return {
            eventId: id,
            type: 'ProvisionAssessed',
            data: { provisionId: `zone-${i}`, status: 'operating', level: i % 4 },
            metadata: {
              actor: 'bench',
              commandId: id,
              correlationId: id,
              causationId: id,
              occurredAt: OCCURRED_AT,
              sources: [],
              schemaVersion: 1,
            },
          };
        });
        await store.append(`agreement-bulk-${n}`, batch, { expectedRevision: 'no_stream' });
      }
    }),
  );
}

/** A counter: each command adds one event carrying the new total, decided on the stream's state. */
const counter: CommandDecider<{ by: number }, { total: number }> = {
  load: (recorded, loaded = { total: 0 }) =>
    recorded.reduce((state, event) => ({ total: (event.data.total as number | undefined) ?? state.total }), loaded),
  decide: (command, state) => [{ type: 'CounterIncremented', data: { total: state.total + command.by } }],
};

/**
 * Commands through handleCommand (what the API does: log check, read, decide, append with the
 * command log), by 50 writers over 1,000 streams of their own (a writer's commands on a stream
 * follow each other); returns commands/s.
 */
async function commandRate(store: EventStore, commands: number): Promise<number> {
  const perWriter = Math.ceil(commands / WRITERS);
  const run = randomUUID().slice(0, 8);
  const started = now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      for (let k = 0; k < perWriter; k += 1) {
        const commandId = randomUUID();
        await handleCommand(store, {
          streamId: `counter-${run}-${writer}-${k % 20}`,
          decider: counter,
          command: { by: 1 },
          context: {
            commandId,
            requestHash: commandId,
            actor: 'bench',
            correlationId: commandId,
            causationId: commandId,
            occurredAt: OCCURRED_AT,
            sources: [],
            schemaVersionOf: () => 1,
          },
        });
      }
    }),
  );
  return (perWriter * WRITERS) / ((now() - started) / 1000);
}

/**
 * The same store through the port's methods only: handleCommand then takes findCommand + append,
 * the path it takes on a store without command claims (on EventStoreDB, the protocol before them).
 */
function portOnly(store: EventStore): EventStore {
  return {
    append: (streamId, events, options) => store.append(streamId, events, options),
    findCommand: (commandId) => store.findCommand(commandId),
    findEvent: (eventId) => store.findEvent(eventId),
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    comparePositions: (a, b) => store.comparePositions(a, b),
    parsePosition: (text) => store.parsePosition(text),
    close: () => store.close(),
  };
}

/** Pages through the whole log forwards, as rebuildReadModels does; returns events/s. */
/** Catch-up reading alone: readAll from the start in pages, as a rebuild reads; events/s. */
export async function readAllRate(store: EventStore): Promise<{ events: number; rate: number }> {
  const started = now();
  let events = 0;
  let after: string | undefined;
  for (;;) {
    const page =
      after === undefined
        ? await store.readAll({ maxCount: PAGE })
        : await store.readAll({ fromPosition: after, maxCount: PAGE + 1 });
    const fresh = after === undefined ? page : page.filter((e) => store.comparePositions(e.position, after!) > 0);
    if (fresh.length === 0) break;
    events += fresh.length;
    after = fresh[fresh.length - 1].position;
  }
  return { events, rate: events / ((now() - started) / 1000) };
}

/** A subscription from the start, until it delivered `total` events; returns events/s. */
async function subscribeRate(store: EventStore, total: number): Promise<number> {
  const started = now();
  const subscription = store.subscribeToAll();
  let seen = 0;
  try {
    for await (const _event of subscription) {
      seen += 1;
      if (seen >= total) break;
    }
  } finally {
    await subscription.close();
  }
  return seen / ((now() - started) / 1000);
}

interface StoreFigures {
  appendRate: number;
  commandRate: number;
  portOnlyCommandRate: number;
  bulkRate: number;
  readAll: { events: number; rate: number };
  subscribe: number;
}

async function measure(scope: Scope, store: EventStore, sizes: EsdbSizes): Promise<StoreFigures> {
  const appends = await concurrentAppends(scope, sizes.commands, store);
  progress(`${WRITERS} writers: ${formatNumber(sizes.commands)} commands through handleCommand`);
  const commands = await commandRate(store, sizes.commands);
  progress(`${WRITERS} writers: ${formatNumber(sizes.commands)} commands through handleCommand, port methods only`);
  const portOnlyCommands = await commandRate(portOnly(store), sizes.commands);
  progress(`plain appends of ${BULK_APPEND_SIZE} events: ${formatNumber(sizes.bulkEvents)} events`);
  const bulkStarted = now();
  await bulkFill(store, sizes.bulkEvents);
  const bulkRate = sizes.bulkEvents / ((now() - bulkStarted) / 1000);
  progress('catch-up: readAll from the start');
  const readAll = await readAllRate(store);
  progress('catch-up: subscribeToAll from the start');
  const subscribe = await subscribeRate(store, readAll.events);
  return { appendRate: appends.rate, commandRate: commands, portOnlyCommandRate: portOnlyCommands, bulkRate, readAll, subscribe };
}

export async function runEsdbSection(scope: Scope, report: Report, sizes: EsdbSizes): Promise<void> {
  progress('embedded store (SqliteEventStore)');
  const embedded = await SqliteEventStore.open({ file: join(scope.tempDir('esdb-embedded'), 'events.sqlite') });
  scope.defer('close embedded store', () => embedded.close());
  const sqlite = await measure(scope, embedded, sizes);
  await embedded.close();

  progress('EventStoreDB test server (in-memory, gRPC, own process)');
  const server = await startEsdbTestServer(scope);
  const esdbStore = await EsdbEventStore.connect(server.connectionString);
  scope.defer('close EventStoreDB store', () => esdbStore.close());
  const esdb = await measure(scope, esdbStore, sizes);
  await esdbStore.close();

  const rows: Array<{ label: string; unit: string; pick: (f: StoreFigures) => number; detail: string }> = [
    {
      label: `append with command log, ${WRITERS} writers`,
      unit: 'appends/s',
      pick: (f) => f.appendRate,
      detail: `${formatNumber(sizes.commands)} appends of 1 event + command log entry over ${formatNumber(STREAMS)} streams, exact expected revision`,
    },
    {
      label: `commands through handleCommand, ${WRITERS} writers`,
      unit: 'commands/s',
      pick: (f) => f.commandRate,
      detail: `${formatNumber(sizes.commands)} commands of 1 event over ${formatNumber(WRITERS * 20)} streams: command log check, stream read, decision, append`,
    },
    {
      label: `commands through handleCommand on the port's methods only, ${WRITERS} writers`,
      unit: 'commands/s',
      pick: (f) => f.portOnlyCommandRate,
      detail: `as above, without the store's command claims: findCommand, stream read, decision, append with the command (EventStoreDB: nine sequential calls instead of three calls in two round trips)`,
    },
    {
      label: `plain append of ${BULK_APPEND_SIZE} events, 10 writers`,
      unit: 'events/s',
      pick: (f) => f.bulkRate,
      detail: `${formatNumber(sizes.bulkEvents)} events, no command log, expected no_stream`,
    },
    {
      label: 'catch-up: readAll from the start',
      unit: 'events/s',
      pick: (f) => f.readAll.rate,
      detail: `pages of ${formatNumber(PAGE)}, as rebuildReadModels reads`,
    },
    {
      label: 'catch-up: subscribeToAll from the start',
      unit: 'events/s',
      pick: (f) => f.subscribe,
      detail: 'until it delivered every event',
    },
  ];
  for (const row of rows) {
    const a = row.pick(sqlite);
    const b = row.pick(esdb);
    report.add({
      section: 'esdb',
      label: `embedded: ${row.label}`,
      value: a,
      unit: row.unit,
      rate: true,
      detail: row.detail,
    });
    report.add({
      section: 'esdb',
      label: `EventStoreDB: ${row.label}`,
      value: b,
      unit: row.unit,
      rate: true,
      detail: `${(b / a).toFixed(2)}× the embedded store; ${row.detail}`,
    });
  }
  if (sqlite.readAll.events !== esdb.readAll.events) {
    throw new Error(
      `catch-up read ${sqlite.readAll.events} events from the embedded store but ${esdb.readAll.events} from EventStoreDB`,
    );
  }
}
