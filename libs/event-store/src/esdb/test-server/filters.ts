import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { LogRecord } from './in-memory-state';

/** Decides whether a record passes a `$all` filter (event type or stream name, regex or prefixes). */
export type RecordFilter = (record: LogRecord) => boolean;

export const acceptAll: RecordFilter = () => true;

/**
 * The server compiles the expression with .NET `Regex` and tests it with `IsMatch` (a match
 * anywhere, not a full match); JavaScript `RegExp.test` does the same, and the patterns used in
 * practice (`^[^$].*`, `^agreement-`, alternations of names) mean the same in both dialects.
 * An empty regex means "use the prefixes", as on the server.
 */
export function toRecordFilter(options: ReadReq.Options.FilterOptions): RecordFilter {
  const onEventType = options.hasEventType();
  const expression = onEventType ? options.getEventType() : options.getStreamIdentifier();
  if (!expression) throw new Error('filter without an expression');
  const field = (record: LogRecord) => (onEventType ? record.type : record.streamName);
  const regex = expression.getRegex();
  if (regex) {
    const compiled = new RegExp(regex);
    return (record) => compiled.test(field(record));
  }
  const prefixes = expression.getPrefixList();
  return (record) => prefixes.some((prefix) => field(record).startsWith(prefix));
}

/** EventStoreDB's own default search window (`ReadBatchSize` in the server's enumerators). */
export const DEFAULT_SEARCH_WINDOW = 32;

/** Events considered (matching or not) between two checkpoints of a filtered `$all` subscription. */
export function checkpointInterval(options: ReadReq.Options.FilterOptions): number {
  const window = options.hasMax() ? options.getMax() : DEFAULT_SEARCH_WINDOW;
  const multiplier = options.getCheckpointintervalmultiplier();
  if (multiplier <= 0 || window <= 0) throw new Error('checkpoint interval multiplier and window must be positive');
  return multiplier * window;
}
