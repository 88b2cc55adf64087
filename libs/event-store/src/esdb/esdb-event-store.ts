/**
 * The EventStore port on EventStoreDB (22.6 or later: stream reads must carry positions; tested
 * against the in-memory stand-in in ./test-server and, when EVENTSTORE_CONNECTION_STRING is set,
 * a real node).
 *
 * - Streams are named as given (`agreement-{id}`, `process-{id}`), the event type is the domain
 *   event name, data and metadata are JSON; the metadata carries `$correlationId` and
 *   `$causationId` (EventStoreDB's names) and our actor, occurredAt, sources, commandId,
 *   schemaVersion.
 * - Positions are "commit/prepare" (esdb-position.ts).
 * - The command log and the uniqueness of event ids live in EventStoreDB too, in `$`-typed
 *   bookkeeping events of `commandlog-*` and `eventid-*` streams (esdb-command-log.ts explains the
 *   protocol and what it leaves open). readAll, headPosition and subscribeToAll leave out every
 *   `$`-typed event and every event of a `$`-stream.
 * - recordedAt is the server's `created` time of the event.
 */
import { EventStoreDBClient, NO_STREAM, ANY, STREAM_EXISTS, type AppendExpectedRevision } from '@eventstore/db-client';
import {
  AppendOptions,
  AppendResult,
  CommandRecord,
  DuplicateEventIdError,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { EsdbCommandClaims } from './esdb-command-claims';
import { EsdbCommandLog } from './esdb-command-log';
import { readBack } from './esdb-read-back';
import { readAllFiltered } from './esdb-filtered-read';
import { isSystemEvent, toEventData, toRecordedEvent } from './esdb-mapping';
import { comparePositions, decodePosition, formatPosition, type EsdbPosition } from './esdb-position';
import { EventIdTypes, eventIdStream } from './esdb-event-ids';
import { lastEventOf, readStreamEvents, tryAppend } from './esdb-streams';
import { DEFAULT_RESUBSCRIBE, EsdbSubscription, type ResubscribeOptions } from './esdb-subscription';

export interface EsdbEventStoreOptions {
  /** Backoff of subscriptions resubscribing after an error. */
  resubscribe?: Partial<ResubscribeOptions>;
  /** Events per request when readAll pages through `$all`. */
  readPageSize?: number;
}

/** EventStoreDB's own "exclude system events" filter: types that do not start with `$`. */
const NON_SYSTEM_TYPES = '^[^$]';

export class EsdbEventStore implements EventStore {
  private readonly commandLog: EsdbCommandLog;
  /** Used by handleCommand: a command in two round trips (esdb-command-claims.ts). */
  readonly commandClaims: EsdbCommandClaims;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private readonly resubscribe: ResubscribeOptions;
  private readonly pageSize: number;
  private closed = false;

  /** A store on its own client (closed with the store). */
  static async connect(connectionString: string, options: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), options, true);
  }

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
    private readonly ownsClient = false,
  ) {
    this.commandLog = new EsdbCommandLog(client);
    this.commandClaims = new EsdbCommandClaims(client, this.commandLog);
    this.resubscribe = { ...DEFAULT_RESUBSCRIBE, ...options.resubscribe };
    this.pageSize = options.readPageSize ?? 500;
  }

  async append(streamId: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) throw new Error(`an append to ${streamId} needs at least one event`);
    const seen = new Set<string>();
    for (const event of events) {
      const id = event.eventId.toLowerCase();
      if (seen.has(id)) throw new DuplicateEventIdError(event.eventId);
      seen.add(id);
    }
    const expected = options.expectedRevision;
    if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
      throw new Error(`invalid expected revision ${expected}`);
    }

    // Events of the very command being appended are covered by its command log (it refuses an id handleCommand used).
    await this.commandClaims.refuseStoredDerivedIds(
      events.filter((event) => event.metadata.commandId !== options.command?.commandId),
    );
    if (options.command) return this.commandLog.append(streamId, events, expected, options.command);
    return this.commandLog.appendPlain(streamId, events, async () => {
      const appended = await tryAppend(this.client, streamId, events.map(toEventData), toClientExpectation(expected));
      if (!appended.ok) throw new WrongExpectedRevisionError(streamId, expected, appended.actual);
      return readBack(this.client, streamId, events, appended.lastRevision - events.length + 1);
    });
  }

  findCommand(commandId: string): Promise<CommandRecord | undefined> {
    this.assertOpen();
    return this.commandLog.find(commandId);
  }

  /**
   * Through the event id registry: `eventid-<id>` names the stream that reserved the id; a
   * reservation whose write never happened (a crash, see esdb-command-log.ts) has no event there.
   */
  async findEvent(eventId: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    const reservation = await lastEventOf(this.client, eventIdStream(eventId));
    if (reservation?.type !== EventIdTypes.eventIdReserved) return undefined;
    const { streamId } = reservation.data as { streamId: string };
    const events = await this.readStream(streamId);
    return events.find((event) => event.eventId.toLowerCase() === eventId.toLowerCase());
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const events = await readStreamEvents(this.client, streamId, options);
    return events.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const direction = options.direction ?? 'forwards';
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (maxCount <= 0 || options.types?.length === 0) return [];
    const eventTypeRegex = options.types ? `^(?:${options.types.map(escapeRegex).join('|')})$` : NON_SYSTEM_TYPES;
    const from = options.fromPosition === undefined ? undefined : decodePosition(options.fromPosition);

    const result: RecordedEvent[] = [];
    if (direction === 'backwards' && from) {
      // The server reads backwards from a position exclusively; the port includes the event at it.
      const [atFrom] = await this.readAllPage({ direction: 'forwards', from, maxCount: 1, eventTypeRegex });
      if (atFrom?.event && comparePositions(atFrom.position, from) === 0) result.push(atFrom.event);
    }
    let cursor = from;
    // Forwards, a position is inclusive: every page after the first starts with the last event of the one before.
    let repeatsCursor = false;
    while (result.length < maxCount) {
      const want = Math.min(this.pageSize, maxCount - result.length) + (repeatsCursor ? 1 : 0);
      const page = await this.readAllPage({ direction, from: cursor, maxCount: want, eventTypeRegex });
      for (const { event, position } of page) {
        if (repeatsCursor && cursor && comparePositions(position, cursor) <= 0) continue;
        if (event && result.length < maxCount) result.push(event);
      }
      if (page.length < want) break;
      cursor = page[page.length - 1].position;
      repeatsCursor = direction === 'forwards';
    }
    return result;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    if (options.afterPosition !== undefined) decodePosition(options.afterPosition);
    const subscription: EsdbSubscription = new EsdbSubscription(
      this.client,
      options.afterPosition,
      this.resubscribe,
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | undefined> {
    const [last] = await this.readAll({ direction: 'backwards', maxCount: 1 });
    return last?.position;
  }

  comparePositions(a: Position, b: Position): number {
    return comparePositions(decodePosition(a), decodePosition(b));
  }

  parsePosition(text: string): Position {
    return formatPosition(decodePosition(text));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    if (this.ownsClient) await this.client.dispose();
  }

  private async readAllPage(options: {
    direction: 'forwards' | 'backwards';
    from?: EsdbPosition;
    maxCount: number;
    eventTypeRegex: string;
  }): Promise<Array<{ position: EsdbPosition; event: RecordedEvent | undefined }>> {
    const resolved = await readAllFiltered(this.client, options);
    return resolved.flatMap(({ event }) => {
      if (!event?.position) return [];
      const position = { commit: event.position.commit, prepare: event.position.prepare };
      // System events still move the cursor; they are just not ours to convert or return.
      return [{ position, event: isSystemEvent(event) ? undefined : toRecordedEvent(event) }];
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the EventStoreDB store is closed');
  }
}

function toClientExpectation(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

/** Escapes a literal for a regex that EventStoreDB compiles with .NET (same metacharacters as JavaScript). */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
