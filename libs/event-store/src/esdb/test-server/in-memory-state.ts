/**
 * The data of the EventStoreDB test server, kept apart from the gRPC server so that a test can stop
 * the server, start a new one on the same port with the same state object, and see the same
 * database (as a real node restarted on its own data directory would).
 */

/** One record of the transaction log. */
export interface LogRecord {
  streamName: string;
  /** Revision (event number) in its stream, 0 for the first event. */
  revision: bigint;
  eventId: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as EventStoreDB sends it in the `created` metadata. */
  created: bigint;
  /**
   * Log position. EventStoreDB positions are byte offsets in its transaction log; here they grow by
   * the size of the record too, so consecutive events have non-consecutive positions (code that
   * assumes position = index + 1 breaks here as it would on the real server). commit = prepare.
   */
  position: bigint;
}

/** What a write appended, handed to live subscriptions. */
export type AppendListener = (records: readonly LogRecord[]) => void;

/**
 * A bounded least-recently-used set of committed event ids, the equivalent of EventStoreDB's
 * `_committedEvents` cache: the idempotency check of appends with expected revision `any` or
 * `stream_exists` only sees event ids that are still in it.
 */
class CommittedEventsCache {
  private readonly entries = new Map<string, { streamName: string; revision: bigint }>();

  constructor(private readonly capacity: number) {}

  get(eventId: string): { streamName: string; revision: bigint } | undefined {
    const entry = this.entries.get(eventId);
    if (entry) {
      this.entries.delete(eventId);
      this.entries.set(eventId, entry);
    }
    return entry;
  }

  put(eventId: string, streamName: string, revision: bigint): void {
    this.entries.delete(eventId);
    this.entries.set(eventId, { streamName, revision });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

export interface InMemoryEsdbStateOptions {
  /**
   * Size of the committed-event-id cache used by the idempotency check of `any`/`stream_exists`
   * appends. Small values let a test show that such idempotency is best effort on the real server.
   */
  committedEventsCacheCapacity?: number;
  /** Write the startup system event (`$settings`). Default true. */
  writeSystemEventsAtStartup?: boolean;
}

const FIRST_POSITION = 1024n;
const RECORD_HEADER_BYTES = 96n;

export class InMemoryEsdbState {
  readonly log: LogRecord[] = [];
  private readonly streams = new Map<string, LogRecord[]>();
  private readonly listeners = new Set<AppendListener>();
  readonly committedEvents: CommittedEventsCache;
  private nextPosition = FIRST_POSITION;
  private lastCreated = 0n;

  constructor(options: InMemoryEsdbStateOptions = {}) {
    this.committedEvents = new CommittedEventsCache(options.committedEventsCacheCapacity ?? 100_000);
    if (options.writeSystemEventsAtStartup ?? true) {
      // A real node writes system events of its own at startup ($settings, the default users, ...).
      // One is enough to prove that filters keep them out of what the application sees.
      this.write('$settings', [
        {
          eventId: '00000000-0000-4000-8000-000000000001',
          type: '$settings',
          contentType: 'application/json',
          data: Buffer.from(JSON.stringify({ $userStreamAcl: { $r: '$all' }, $systemStreamAcl: { $r: '$admins' } })),
          customMetadata: new Uint8Array(),
        },
      ]);
    }
  }

  /** -1n when the stream does not exist. */
  lastRevision(streamName: string): bigint {
    const events = this.streams.get(streamName);
    return events && events.length > 0 ? BigInt(events.length - 1) : -1n;
  }

  streamRecords(streamName: string): readonly LogRecord[] {
    return this.streams.get(streamName) ?? [];
  }

  recordAt(streamName: string, revision: bigint): LogRecord | undefined {
    const events = this.streams.get(streamName);
    if (!events || revision < 0n || revision >= BigInt(events.length)) return undefined;
    return events[Number(revision)];
  }

  /** Index in `log` of the first record whose position is >= position. */
  indexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.log[middle].position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Appends without any check: the caller (the Append handler) has decided the write is valid. */
  write(
    streamName: string,
    events: ReadonlyArray<Pick<LogRecord, 'eventId' | 'type' | 'contentType' | 'data' | 'customMetadata'>>,
  ): LogRecord[] {
    let streamEvents = this.streams.get(streamName);
    if (!streamEvents) {
      streamEvents = [];
      this.streams.set(streamName, streamEvents);
    }
    const created = this.nextCreated();
    const written: LogRecord[] = [];
    for (const event of events) {
      const record: LogRecord = {
        ...event,
        streamName,
        revision: BigInt(streamEvents.length),
        created,
        position: this.nextPosition,
      };
      this.nextPosition +=
        RECORD_HEADER_BYTES +
        BigInt(
          Buffer.byteLength(streamName) +
            Buffer.byteLength(event.type) +
            event.data.length +
            event.customMetadata.length,
        );
      streamEvents.push(record);
      this.log.push(record);
      this.committedEvents.put(record.eventId, streamName, record.revision);
      written.push(record);
    }
    if (written.length > 0) {
      for (const listener of [...this.listeners]) listener(written);
    }
    return written;
  }

  onAppend(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Strictly increasing, so that events of different writes never share a `created` time. */
  private nextCreated(): bigint {
    const ticks = BigInt(Date.now()) * 10_000n;
    this.lastCreated = ticks > this.lastCreated ? ticks : this.lastCreated + 1n;
    return this.lastCreated;
  }
}
