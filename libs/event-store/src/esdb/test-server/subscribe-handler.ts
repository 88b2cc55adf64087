import { randomUUID } from 'node:crypto';
import { type ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { acceptAll, checkpointInterval, type RecordFilter } from './filters';
import type { LogRecord } from './in-memory-state';
import { invalidArgument } from './rpc-errors';
import type { ReadCall, ServerContext } from './server-context';
import { firstIndexAfter, positionOf, streamNameOf } from './wire';

/**
 * A subscription to a stream or to $all: confirmation, catch-up, caught_up once, then live events
 * as they are appended, following gRPC back-pressure; filtered $all subscriptions get checkpoints.
 */

export function subscribe(
  context: ServerContext,
  call: ReadCall,
  options: ReadReq.Options,
  filter: RecordFilter | undefined,
  toEvent: (record: LogRecord) => ReadResp,
): void {
  let source: () => LogRecord[];
  let nextIndex: number;
  if (options.hasStream()) {
    if (filter) throw invalidArgument('stream subscriptions cannot be filtered');
    const streamOptions = options.getStream()!;
    const streamName = streamNameOf(streamOptions.getStreamIdentifier());
    source = () => context.state.streamRecords(streamName) as LogRecord[];
    // From a revision is exclusive: the subscription starts with the next event.
    nextIndex = streamOptions.hasEnd()
      ? source().length
      : streamOptions.hasRevision()
        ? Number(BigInt(streamOptions.getRevision()) + 1n)
        : 0;
  } else if (options.hasAll()) {
    const allOptions = options.getAll()!;
    source = () => context.state.log;
    nextIndex = allOptions.hasEnd()
      ? context.state.log.length
      : allOptions.hasPosition()
        ? firstIndexAfter(context.state, positionOf(allOptions.getPosition()!))
        : 0;
  } else {
    throw invalidArgument('a subscription is to a stream or to $all');
  }

  const interval = filter && options.hasAll() ? checkpointInterval(options.getFilter()!) : undefined;
  const accepts = filter ?? acceptAll;
  let considered = 0;
  let caughtUpSent = false;
  let waitingForDrain = false;
  let closed = false;

  const pump = () => {
    if (closed || waitingForDrain) return;
    const records = source();
    while (!closed) {
      let response: ReadResp | undefined;
      let checkpoint: ReadResp | undefined;
      if (nextIndex < records.length) {
        const record = records[nextIndex++];
        if (accepts(record)) response = toEvent(record);
        if (interval !== undefined && ++considered >= interval) {
          considered = 0;
          checkpoint = new ReadResp().setCheckpoint(
            new ReadResp.Checkpoint()
              .setCommitPosition(record.position.toString())
              .setPreparePosition(record.position.toString()),
          );
        }
      } else if (!caughtUpSent) {
        caughtUpSent = true;
        response = new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
      } else {
        return;
      }
      let writable = true;
      if (response) writable = call.write(response) && writable;
      if (checkpoint) writable = call.write(checkpoint) && writable;
      if (!writable) {
        waitingForDrain = true;
        call.once('drain', () => {
          waitingForDrain = false;
          pump();
        });
        return;
      }
    }
  };

  const unsubscribe = context.state.onAppend(() => pump());
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    context.openCalls.delete(call);
  };
  call.on('cancelled', close);
  call.on('error', close);
  call.on('finish', close);
  context.openCalls.add(call);

  call.write(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
  pump();
}
