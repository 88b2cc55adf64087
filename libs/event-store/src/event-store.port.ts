/**
 * The event store port. Every implementation (embedded SQLite, EventStoreDB) passes the same
 * contract suite (testing/event-store.contract.ts), so the rest of the product never knows which
 * one it runs on.
 *
 * Positions are opaque strings that order every event of the store. Only the store that made a
 * position can compare two of them (comparePositions). readAll takes a position inclusively
 * ("from"), subscribeToAll exclusively ("after" a checkpoint), as EventStoreDB does.
 */

import type { FastLog } from './fast-log.port';

export type Position = string;

/** 'no_stream': the stream must not exist yet (-1 in the HTTP contract); a number: its exact last revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventSource {
  publisher: string;
  url?: string;
  publishedAt?: string;
  quote?: string;
}

export interface EventMetadata {
  actor: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  /** Business time exactly as the operator wrote it (may be partial: "2017-08"). */
  occurredAt: string;
  sources: EventSource[];
  schemaVersion: number;
}

export interface EventToAppend {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  eventId: string;
  type: string;
  streamId: string;
  /** 0 for the first event of the stream. */
  revision: number;
  position: Position;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /** Set by the store when the event was committed (RFC 3339, UTC). */
  recordedAt: string;
}

export interface AppendedEvent {
  eventId: string;
  type: string;
  revision: number;
  position: Position;
}

export interface AppendResult {
  streamId: string;
  /** The stream's last revision after the append. */
  revision: number;
  /** The global position of the last appended event. */
  position: Position;
  events: AppendedEvent[];
  /**
   * When the store committed the events: the recordedAt a read gives them. Absent where the store
   * cannot say without another round trip (EventStoreDB), and in command records stored before
   * it was kept. The command path folds the appended events onto its cached state with it; it is
   * not part of a command's HTTP answer.
   */
  recordedAt?: string;
}

/** What the command log keeps so a retried command is answered with its first result. */
export interface CommandRecord {
  commandId: string;
  /** A hash of the request body, to tell a retry from a different command reusing the id. */
  requestHash: string;
  result: AppendResult;
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
  /** When given, the command is logged in the same atomic write as its events. */
  command?: { commandId: string; requestHash: string };
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Forwards defaults to 0, backwards to the end. */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive; forwards defaults to the start, backwards to the end. */
  fromPosition?: Position;
  maxCount?: number;
  /** Only these event types. */
  types?: string[];
}

export interface SubscribeOptions {
  /** Exclusive: the subscription starts with the first event after this position; undefined = from the start. */
  afterPosition?: Position;
}

/**
 * Catch-up then live. Iterate it with for-await; events come in global order, each once.
 * close() ends the iteration (a pending next() resolves done).
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
  /**
   * Optional: up to `max` of the next events that can be delivered now without waiting, in order
   * and taken (the iteration goes on after them); [] when the next one is still to be committed
   * or the subscription ended. Never call it while a next() is pending. For a reader that takes
   * events by the thousand, one call instead of one awaited next() per event.
   */
  takeReady?(max: number): RecordedEvent[];
}

/** The port's reads: what code that only reads the log needs of it. */
export interface EventReader {
  /** [] when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The position of the last event in the store, or undefined when it is empty. */
  headPosition(): Promise<Position | undefined>;
  /** Negative when a is before b, 0 when equal, positive when after. */
  comparePositions(a: Position, b: Position): number;
  /** Throws when the position is not one this store could have made. */
  parsePosition(text: string): Position;
  close(): Promise<void>;
}

export interface EventStore extends EventReader {
  append(streamId: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult>;
  /** The command log entry for this id, if a command with it was stored. */
  findCommand(commandId: string): Promise<CommandRecord | undefined>;
  /** The stored event with this id, or undefined (auditors ask about one event by its id). */
  findEvent(eventId: string): Promise<RecordedEvent | undefined>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Faster bulk reads of the log, when this store can offer them (fast-log.port.ts); undefined otherwise. */
  readonly fastLog?: FastLog;
}

/** The expected revision did not match; actual is -1 when the stream does not exist. */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The command id is already in the command log; record is what was stored for it. */
export class CommandAlreadyRecordedError extends Error {
  constructor(readonly record: CommandRecord) {
    super(`command ${record.commandId} was already recorded`);
    this.name = 'CommandAlreadyRecordedError';
  }
}

/** An event id that the store already holds, under another command. */
export class DuplicateEventIdError extends Error {
  constructor(readonly eventId: string) {
    super(`event id ${eventId} is already in the store`);
    this.name = 'DuplicateEventIdError';
  }
}

/** The store could not be reached (server down, connection refused, timed out): retry later. */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = 'EventStoreUnavailableError';
  }
}

/**
 * Whether an error means the store was out of reach rather than that the request was wrong:
 * our own error, or the EventStoreDB client's unavailable / deadline-exceeded errors (which carry
 * a `type`), recognised without importing the client here.
 */
export function isEventStoreUnavailable(err: unknown): boolean {
  if (err instanceof EventStoreUnavailableError) return true;
  const type = (err as { type?: unknown } | null)?.type;
  return type === 'unavailable' || type === 'deadline-exceeded';
}
