import type { EventReader } from './event-store.port';

/**
 * Faster ways to read the log than readAll and readStream, for bulk readers: a rebuild of the read
 * models, the relay's status thread. A store offers them (EventStore.fastLog) when it can (the
 * embedded SQLite store on a file); callers fall back to the port's reads otherwise.
 *
 * A fast log's positions are integers, its Position strings in decimal: ranges of positions can be
 * cut without reading. Ranges are (from, to]: after `from`, up to and including `to`.
 */
export interface FastLog {
  /** Plain data: another thread opens the same log with openFastLogReader(handle). */
  readonly handle: FastLogHandle;
  /** A reader on this thread (openFastLogReader on this store's handle). */
  openReader(options?: FastLogReaderOptions): FastLogReader;
  /**
   * Copies ranges of the log into a table of another SQLite file, inside SQLite: the events
   * never go through JavaScript.
   */
  openCopier(target: FastLogCopyTarget, options?: FastLogReaderOptions): FastLogCopier;
}

export interface FastLogHandle {
  readonly kind: 'sqlite';
  readonly file: string;
}

export interface FastLogReaderOptions {
  /**
   * Only streams whose id starts with one of these (SQLite's LIKE: ASCII letters match either
   * case), for readers that want a few kinds of stream. It is a pre-filter: the caller still has
   * the last word on a stream id. Row counts and ends of ranges take every stream.
   */
  streamPrefixes?: readonly string[];
}

/**
 * An event as stored, nothing parsed: data is its JSON text; occurredAt and sources come out of
 * the metadata (sources as JSON text, '[]' when absent).
 */
export type RawLogEvent = readonly [
  streamId: string,
  revision: number,
  position: string,
  eventId: string,
  type: string,
  data: string,
  occurredAt: string,
  recordedAt: string,
  sources: string,
  /** The metadata's schemaVersion (1 when absent: events stored before versions were kept). */
  schemaVersion: number,
];

/**
 * An event with everything stored about it, nothing parsed: data and metadata are their JSON text
 * (what the ledger hashes: the event exactly as stored).
 */
export type RawStoredEvent = readonly [
  position: string,
  streamId: string,
  revision: number,
  eventId: string,
  type: string,
  data: string,
  metadata: string,
  recordedAt: string,
];

/**
 * An event as a reader of whole streams gets it: like RawLogEvent, but occurredAt, sources and the
 * schema version in one JSON array text, `[occurredAt, sources, schemaVersion]` (one extraction
 * from the metadata costs far less than three).
 */
export type RawStreamEvent = readonly [
  streamId: string,
  revision: number,
  position: string,
  eventId: string,
  type: string,
  data: string,
  recordedAt: string,
  timeSourcesAndVersion: string,
];

/** A read-only connection to the log. The port's reads too, for a thread that folds what it reads. */
export interface FastLogReader extends EventReader {
  /** The events of a range, in log order, unparsed (streams filtered by streamPrefixes). */
  rangeEvents(from: number, to: number): RawLogEvent[];
  /**
   * rangeEvents' rows as one JSON array text (each row a RawLogEvent array), written by the
   * database: for a bulk copy that passes the rows on without looking at them, no value is made
   * in JavaScript and nothing is stringified here.
   */
  rangeEventsJson(from: number, to: number): string;
  /** At most `limit` events after `from`, in log order, every stream, with their whole metadata. */
  storedEventsAfter(from: number, limit: number): RawStoredEvent[];
  /** How many events a range holds, and its last one (any stream). */
  rangeSummary(from: number, to: number): { count: number; last?: { position: string; recordedAt: string } };
  /** The next stream ids after `after` in key order (streams filtered by streamPrefixes). */
  streamIdsAfter(after: string, limit: number): string[];
  /** The events of these streams up to a position, by stream then revision, unparsed. */
  streamEvents(streamIds: readonly string[], upTo: number): RawStreamEvent[];
}

/** Where a copier writes: a table of a SQLite file whose columns take a RawLogEvent's values, in order. */
export interface FastLogCopyTarget {
  file: string;
  table: string;
  columns: readonly string[];
}

export interface FastLogCopier {
  /** Copies the events of a range (streams filtered by streamPrefixes) in one transaction; returns how many rows it wrote. */
  copyRange(from: number, to: number): number;
  /** How many events the log holds up to a position (any stream). */
  countUpTo(position: number): number;
  /** When the event at this position was recorded. */
  recordedAt(position: number): string | undefined;
  close(): void;
}
