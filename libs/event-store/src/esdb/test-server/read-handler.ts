import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { StreamIdentifier } from '@eventstore/db-client/generated/shared_pb';
import { acceptAll, type RecordFilter, toRecordFilter } from './filters';
import type { LogRecord } from './in-memory-state';
import { invalidArgument, statusOf } from './rpc-errors';
import type { ReadCall, ServerContext } from './server-context';
import { subscribe } from './subscribe-handler';
import { MAX_UINT64, positionOf, readEvent, streamNameOf } from './wire';

/** `Streams.Read`: reads of a stream or of $all, and subscriptions (subscribe-handler.ts). */
export function handleRead(context: ServerContext, call: ReadCall): void {
  try {
    const options = call.request.getOptions();
    if (!options) throw invalidArgument('a read needs options');
    const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const filter = options.hasFilter() ? toRecordFilter(options.getFilter()!) : undefined;
    const toEvent = (record: LogRecord) => new ReadResp().setEvent(readEvent(record, structuredIds));

    if (options.hasSubscription()) {
      if (backwards) throw invalidArgument('subscriptions only read forwards');
      subscribe(context, call, options, filter, toEvent);
      return;
    }
    const count = options.hasCount() ? BigInt(options.getCount()) : MAX_UINT64;
    if (options.hasStream()) {
      if (filter) throw invalidArgument('stream reads cannot be filtered');
      readStream(
        context,
        call,
        options.getStream()!,
        backwards,
        count,
        options.getControlOption()?.getCompatibility() ?? 0,
        toEvent,
      );
    } else if (options.hasAll()) {
      readAll(context, call, options.getAll()!, backwards, count, filter ?? acceptAll, toEvent);
    } else {
      throw invalidArgument('a read is of a stream or of $all');
    }
  } catch (error) {
    call.emit('error', statusOf(error));
  }
}

function readStream(
  context: ServerContext,
  call: ReadCall,
  streamOptions: ReadReq.Options.StreamOptions,
  backwards: boolean,
  count: bigint,
  compatibility: number,
  toEvent: (record: LogRecord) => ReadResp,
): void {
  const streamName = streamNameOf(streamOptions.getStreamIdentifier());
  const lastRevision = context.state.lastRevision(streamName);
  if (lastRevision < 0n) {
    const identifier = new StreamIdentifier().setStreamName(Buffer.from(streamName, 'utf8'));
    sendAll(context, call, [
      new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(identifier)),
    ]);
    return;
  }
  const records = context.state.streamRecords(streamName);
  const selected: LogRecord[] = [];
  if (backwards) {
    let from = streamOptions.hasStart()
      ? 0n
      : streamOptions.hasRevision()
        ? BigInt(streamOptions.getRevision())
        : lastRevision;
    if (from > lastRevision) from = lastRevision;
    for (let revision = from; revision >= 0n && BigInt(selected.length) < count; revision--)
      selected.push(records[Number(revision)]);
  } else {
    const from = streamOptions.hasEnd()
      ? lastRevision + 1n
      : streamOptions.hasRevision()
        ? BigInt(streamOptions.getRevision())
        : 0n;
    for (let revision = from; revision <= lastRevision && BigInt(selected.length) < count; revision++) {
      selected.push(records[Number(revision)]);
    }
  }
  const responses = selected.map(toEvent);
  if (!backwards && compatibility >= 1) responses.push(new ReadResp().setLastStreamPosition(lastRevision.toString()));
  sendAll(context, call, responses);
}

function readAll(
  context: ServerContext,
  call: ReadCall,
  allOptions: ReadReq.Options.AllOptions,
  backwards: boolean,
  count: bigint,
  filter: RecordFilter,
  toEvent: (record: LogRecord) => ReadResp,
): void {
  const log = context.state.log;
  const selected: LogRecord[] = [];
  const take = (record: LogRecord) => {
    if (filter(record)) selected.push(record);
    return BigInt(selected.length) < count;
  };
  if (backwards) {
    // From a position, a backwards read returns the events before it, as the server reads the
    // log backwards from that offset.
    const from = allOptions.hasPosition()
      ? context.state.indexAtOrAfter(positionOf(allOptions.getPosition()!)) - 1
      : log.length - 1;
    for (let index = from; index >= 0 && count > 0n; index--) if (!take(log[index])) break;
  } else {
    const from = allOptions.hasEnd()
      ? log.length
      : allOptions.hasPosition()
        ? context.state.indexAtOrAfter(positionOf(allOptions.getPosition()!))
        : 0;
    for (let index = from; index < log.length && count > 0n; index++) if (!take(log[index])) break;
  }
  sendAll(context, call, selected.map(toEvent));
}

/** Writes the responses following back-pressure, then ends the call with OK. */
function sendAll(context: ServerContext, call: ReadCall, responses: ReadResp[]): void {
  context.openCalls.add(call);
  let next = 0;
  let cancelled = false;
  call.on('cancelled', () => {
    cancelled = true;
    context.openCalls.delete(call);
  });
  const pump = () => {
    while (!cancelled && next < responses.length) {
      if (!call.write(responses[next++])) {
        call.once('drain', pump);
        return;
      }
    }
    if (!cancelled) {
      context.openCalls.delete(call);
      call.end();
    }
  };
  pump();
}
