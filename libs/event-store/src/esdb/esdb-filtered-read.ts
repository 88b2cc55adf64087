/**
 * Server-side filtered reads of `$all`. EventStoreDB answers them since 21.10 (the `filter` option
 * of `Streams.Read` outside a subscription), but `@eventstore/db-client` 6.x only exposes filters
 * on subscriptions. The request is built from the client's own generated messages and sent through
 * the client's own connection (its `execute`, which reconnects after UNAVAILABLE, and its call
 * arguments, which carry credentials and the connection name) — the client marks both protected,
 * hence the narrow cast below, pinned to the 6.x client.
 */
import type { CallOptions, Client as GrpcClient, Metadata } from '@grpc/grpc-js';
import { EventStoreDBClient, convertToCommandError, type ResolvedEvent } from '@eventstore/db-client';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';
import type { EsdbPosition } from './esdb-position';

interface ClientInternals {
  execute<C extends GrpcClient, T>(
    client: new (...args: never[]) => C,
    debugName: string,
    action: (client: C) => Promise<T>,
  ): Promise<T>;
  callArguments(options: Record<string, never>, callOptions?: CallOptions): [Metadata, CallOptions];
}

export interface FilteredReadOptions {
  direction: 'forwards' | 'backwards';
  /** Undefined: from the start (forwards) or the end (backwards). Forwards inclusive, backwards exclusive. */
  from?: EsdbPosition;
  maxCount: number;
  /** An event-type regex, as EventStoreDB's .NET Regex.IsMatch applies it. */
  eventTypeRegex: string;
}

export function readAllFiltered(client: EventStoreDBClient, options: FilteredReadOptions): Promise<ResolvedEvent[]> {
  const request = new ReadReq().setOptions(
    new ReadReq.Options()
      .setAll(allOptions(options))
      .setReadDirection(
        options.direction === 'forwards'
          ? ReadReq.Options.ReadDirection.FORWARDS
          : ReadReq.Options.ReadDirection.BACKWARDS,
      )
      .setResolveLinks(false)
      .setCount(String(options.maxCount))
      .setUuidOption(new ReadReq.Options.UUIDOption().setString(new Empty()))
      .setFilter(
        new ReadReq.Options.FilterOptions()
          .setEventType(new ReadReq.Options.FilterOptions.Expression().setRegex(options.eventTypeRegex))
          .setCount(new Empty())
          .setCheckpointintervalmultiplier(1),
      ),
  );
  const internals = client as unknown as ClientInternals;
  return internals.execute(
    StreamsClient,
    'readAllFiltered',
    (grpcClient) =>
      new Promise<ResolvedEvent[]>((resolve, reject) => {
        const events: ResolvedEvent[] = [];
        const call = grpcClient.read(request, ...internals.callArguments({}, { deadline: Infinity }));
        call.on('data', (response: ReadResp) => {
          const event = response.getEvent();
          if (event) events.push(convertGrpcEvent(event));
        });
        call.on('error', (error: Error) => reject(convertToCommandError(error)));
        call.on('end', () => resolve(events));
      }),
  );
}

function allOptions(options: FilteredReadOptions): ReadReq.Options.AllOptions {
  const all = new ReadReq.Options.AllOptions();
  if (!options.from) return options.direction === 'forwards' ? all.setStart(new Empty()) : all.setEnd(new Empty());
  return all.setPosition(
    new ReadReq.Options.Position()
      .setCommitPosition(options.from.commit.toString())
      .setPreparePosition(options.from.prepare.toString()),
  );
}
