/**
 * An in-memory stand-in for an EventStoreDB node, speaking the gRPC protocol of the
 * `@eventstore/db-client` package (its generated service definitions), so that the EventStoreDB
 * adapter can be tested on machines without an EventStoreDB. It is modelled on the server source
 * (`Streams.Append`, `Streams.Read`, the read/subscription enumerators, `IndexWriter.CheckCommit`,
 * `ServerFeatures`) of EventStoreDB 23.x/24.x (KurrentDB).
 *
 * Reproduced:
 * - `Streams.Append` (client streaming: the options message, then the proposed messages). The
 *   `type` and `content-type` metadata are required (INVALID_ARGUMENT with the server's
 *   `missing-required-metadata-property` trailer otherwise). Expected revision any / no_stream /
 *   stream_exists / exact; success answers the stream's last revision and the position of the last
 *   event; a wrong expected version is an `AppendResp.wrong_expected_version` (not a gRPC error)
 *   carrying the current revision or `current_no_stream`, and the expectation.
 * - Idempotent appends exactly as `CheckCommit` decides them (see check-commit.ts): the same event
 *   ids re-sent at the same exact expected revision (or `no_stream`) are answered with the first
 *   write's result and append nothing, durably; with `any`/`stream_exists` that only holds while
 *   the ids are in the bounded committed-event cache (`committedEventsCacheCapacity`). The answer to
 *   an idempotent append carries the last revision *of the original write* (not the stream's
 *   current one) and the original last event's position, as KurrentDB's `ReturnCommitAt` does.
 * - Positions: commit = prepare = the event's log position, a number that grows with every event
 *   by the size of the record (like the byte offset it is on the real server), so positions are
 *   not consecutive. Every event has its own position, also within one write.
 * - `Streams.Read`: stream reads forwards/backwards from start/end/revision with count (a
 *   backwards read from beyond the end starts at the last event); `stream_not_found` for a missing
 *   stream; stream reads carry the `$all` position (as servers since 22.6 do for events written
 *   outside explicit transactions). `$all` reads forwards (from a position inclusive) and
 *   backwards (from a position exclusive: the events before it), with count, unfiltered or filtered
 *   by event type / stream name, regex or prefixes (count = matching events returned).
 *   The UUID format of the answer follows the request (`string` or `structured`). With control
 *   option compatibility >= 1, forwards stream reads end with `last_stream_position`.
 * - Subscriptions (stream and `$all`, `$all` filtered): `confirmation` first, catch-up from
 *   start / after a revision or position (exclusive) / from the end, then `caught_up` once (as
 *   recent servers send it whatever the control-option compatibility; the 6.x client knows the
 *   message and emits "caughtUp", older clients skip the unknown field), then
 *   live events, each exactly once and in log order, without limit on the consumer's speed
 *   (the pump follows gRPC back-pressure). Filtered `$all` subscriptions send `checkpoint`s every
 *   `checkpointIntervalMultiplier x window` considered events (window = `max`, or 32 for `count`,
 *   the server's ReadBatchSize), at the position of the last considered event.
 * - System events: a `$settings` event (stream `$settings`) is written when a fresh state is
 *   created, so filters that exclude `$`-types have something to exclude.
 * - `ServerFeatures.GetSupportedMethods`: the 6.x client calls it lazily, before its first append
 *   (to choose BatchAppend) and before persistent-subscription/projection calls; it would accept
 *   UNIMPLEMENTED (an "unknown" server: it falls back to Append), but this server answers as a real
 *   one does, listing what it implements (streams read with the features "position" and "events",
 *   streams append), so the client picks `Append`. Gossip is only asked by clients given several
 *   hosts or `esdb+discover://`; it is not implemented.
 * - `stop()` ends every open call with UNAVAILABLE and closes the port; `start()` on the same
 *   instance binds the same port again with the same state, so clients see a node restart.
 *
 * Not reproduced: BatchAppend, Delete, Tombstone, stream metadata semantics ($maxCount, $tb, ACLs),
 * authentication (credentials are ignored), TLS, links and `resolve_links`, explicit
 * transactions (commit != prepare), persistent subscriptions, projections, gossip/cluster
 * (`esdb+discover://` does not work), the maximum append size, deadlines, dropping slow
 * subscribers (`fell_behind` / consumer too slow), `first_stream_position`, positions that are
 * not event boundaries (the real server may reject them; here they mean "the next event"), and
 * unknown services or methods (answered UNIMPLEMENTED by grpc-js).
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { InMemoryEsdbState, type LogRecord } from './in-memory-state';
import { checkCommit, type ExpectedVersion } from './check-commit';
import { acceptAll, checkpointInterval, toRecordFilter, type RecordFilter } from './filters';

export interface EsdbTestServerOptions {
  /** 0 (default) binds an ephemeral port; restarts of the same instance reuse the bound port. */
  port?: number;
  host?: string;
  /** Pass the state of a previous server to start on the same data. */
  state?: InMemoryEsdbState;
  /** Reported by ServerFeatures. */
  serverVersion?: string;
}

type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;
type AppendCall = grpc.ServerReadableStream<AppendReq, AppendResp>;

const MAX_UINT64 = (1n << 64n) - 1n;

export class EsdbTestServer {
  readonly state: InMemoryEsdbState;
  private readonly host: string;
  private requestedPort: number;
  private readonly serverVersion: string;
  private server: grpc.Server | undefined;
  private readonly openCalls = new Set<ReadCall | AppendCall>();

  constructor(options: EsdbTestServerOptions = {}) {
    this.state = options.state ?? new InMemoryEsdbState();
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 0;
    this.serverVersion = options.serverVersion ?? '24.10.0';
  }

  /** The bound port (after start). */
  get port(): number {
    if (this.requestedPort === 0) throw new Error('the server has not been started');
    return this.requestedPort;
  }

  get connectionString(): string {
    return `esdb://${this.host}:${this.port}?tls=false`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<number> {
    if (this.server) return this.port;
    const server = new grpc.Server();
    server.addService(StreamsService, {
      append: (call: AppendCall, callback: grpc.sendUnaryData<AppendResp>) => this.append(call, callback),
      read: (call: ReadCall) => this.read(call),
      // BatchAppend, Delete and Tombstone are left to grpc-js, which answers UNIMPLEMENTED.
    });
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (
        _call: grpc.ServerUnaryCall<Empty, SupportedMethods>,
        callback: grpc.sendUnaryData<SupportedMethods>,
      ) => callback(null, this.supportedMethods()),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.host}:${this.requestedPort}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.requestedPort = port;
    this.server = server;
    return port;
  }

  /** Ends every open call with UNAVAILABLE, as clients of a node going down see it, and closes the port. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const call of [...this.openCalls]) {
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'Server is shutting down' });
    }
    this.openCalls.clear();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 250);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private supportedMethods(): SupportedMethods {
    const method = (service: string, name: string, features: string[] = []) =>
      new SupportedMethod()
        .setServiceName(service.toLowerCase())
        .setMethodName(name.toLowerCase())
        .setFeaturesList(features);
    return new SupportedMethods()
      .setEventStoreServerVersion(this.serverVersion)
      .setMethodsList([
        method('event_store.client.streams.Streams', 'Read', ['position', 'events']),
        method('event_store.client.streams.Streams', 'Append'),
        method('event_store.client.server_features.ServerFeatures', 'GetSupportedMethods'),
      ]);
  }

  // ---------------------------------------------------------------------------------------------
  // Append

  private append(call: AppendCall, callback: grpc.sendUnaryData<AppendResp>): void {
    this.openCalls.add(call);
    const messages: AppendReq[] = [];
    let answered = false;
    const answer = (error: Partial<grpc.StatusObject> | null, response?: AppendResp) => {
      if (answered) return;
      answered = true;
      this.openCalls.delete(call);
      callback(error, response);
    };
    call.on('data', (message: AppendReq) => messages.push(message));
    call.on('error', (error: Partial<grpc.StatusObject>) =>
      answer({ code: error.code ?? grpc.status.CANCELLED, details: error.details ?? 'Call cancelled' }),
    );
    call.on('end', () => {
      try {
        answer(null, this.decideAppend(messages));
      } catch (error) {
        answer(error instanceof RpcError ? error.status : { code: grpc.status.UNKNOWN, details: String(error) });
      }
    });
  }

  private decideAppend(messages: AppendReq[]): AppendResp {
    const [header, ...proposed] = messages;
    const options = header?.getOptions();
    if (!options) throw invalidArgument('the first message of an append must be its options');
    const streamName = streamNameOf(options.getStreamIdentifier());
    const expected = expectedVersionOf(options);

    const events = proposed.map((message) => {
      const proposedMessage = message.getProposedMessage();
      if (!proposedMessage) throw invalidArgument('after the options, an append carries proposed messages only');
      const metadata = proposedMessage.getMetadataMap();
      const type = metadata.get('type');
      if (type === undefined) throw missingMetadata('type');
      const contentType = metadata.get('content-type');
      if (contentType === undefined) throw missingMetadata('content-type');
      const eventId = uuidToString(proposedMessage.getId());
      if (!eventId) throw invalidArgument('a proposed message needs an id');
      return {
        eventId,
        type,
        contentType: contentType === 'application/json' ? 'application/json' : 'application/octet-stream',
        data: proposedMessage.getData_asU8(),
        customMetadata: proposedMessage.getCustomMetadata_asU8(),
      };
    });

    const decision = checkCommit(
      this.state,
      streamName,
      expected,
      events.map((event) => event.eventId),
    );
    const response = new AppendResp();
    switch (decision.decision) {
      case 'wrong_expected_version': {
        response.setWrongExpectedVersion(wrongExpectedVersion(expected, decision.currentVersion));
        return response;
      }
      case 'idempotent': {
        const last = this.state.recordAt(streamName, decision.lastRevision);
        response.setSuccess(success(decision.lastRevision, last?.position));
        return response;
      }
      case 'ok': {
        const written = this.state.write(streamName, events);
        const last = written.at(-1);
        response.setSuccess(success(this.state.lastRevision(streamName), last?.position));
        return response;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Read

  private read(call: ReadCall): void {
    try {
      const options = call.request.getOptions();
      if (!options) throw invalidArgument('a read needs options');
      const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
      const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
      const filter = options.hasFilter() ? toRecordFilter(options.getFilter()!) : undefined;
      const toEvent = (record: LogRecord) => new ReadResp().setEvent(readEvent(record, structuredIds));

      if (options.hasSubscription()) {
        if (backwards) throw invalidArgument('subscriptions only read forwards');
        this.subscribe(call, options, filter, toEvent);
        return;
      }
      const count = options.hasCount() ? BigInt(options.getCount()) : MAX_UINT64;
      if (options.hasStream()) {
        if (filter) throw invalidArgument('stream reads cannot be filtered');
        this.readStream(
          call,
          options.getStream()!,
          backwards,
          count,
          options.getControlOption()?.getCompatibility() ?? 0,
          toEvent,
        );
      } else if (options.hasAll()) {
        this.readAll(call, options.getAll()!, backwards, count, filter ?? acceptAll, toEvent);
      } else {
        throw invalidArgument('a read is of a stream or of $all');
      }
    } catch (error) {
      call.emit(
        'error',
        error instanceof RpcError ? error.status : { code: grpc.status.UNKNOWN, details: String(error) },
      );
    }
  }

  private readStream(
    call: ReadCall,
    streamOptions: ReadReq.Options.StreamOptions,
    backwards: boolean,
    count: bigint,
    compatibility: number,
    toEvent: (record: LogRecord) => ReadResp,
  ): void {
    const streamName = streamNameOf(streamOptions.getStreamIdentifier());
    const lastRevision = this.state.lastRevision(streamName);
    if (lastRevision < 0n) {
      const identifier = new StreamIdentifier().setStreamName(Buffer.from(streamName, 'utf8'));
      this.sendAll(call, [
        new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(identifier)),
      ]);
      return;
    }
    const records = this.state.streamRecords(streamName);
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
    this.sendAll(call, responses);
  }

  private readAll(
    call: ReadCall,
    allOptions: ReadReq.Options.AllOptions,
    backwards: boolean,
    count: bigint,
    filter: RecordFilter,
    toEvent: (record: LogRecord) => ReadResp,
  ): void {
    const log = this.state.log;
    const selected: LogRecord[] = [];
    const take = (record: LogRecord) => {
      if (filter(record)) selected.push(record);
      return BigInt(selected.length) < count;
    };
    if (backwards) {
      // From a position, a backwards read returns the events before it, as the server reads the
      // log backwards from that offset.
      const from = allOptions.hasPosition()
        ? this.state.indexAtOrAfter(positionOf(allOptions.getPosition()!)) - 1
        : log.length - 1;
      for (let index = from; index >= 0 && count > 0n; index--) if (!take(log[index])) break;
    } else {
      const from = allOptions.hasEnd()
        ? log.length
        : allOptions.hasPosition()
          ? this.state.indexAtOrAfter(positionOf(allOptions.getPosition()!))
          : 0;
      for (let index = from; index < log.length && count > 0n; index++) if (!take(log[index])) break;
    }
    this.sendAll(call, selected.map(toEvent));
  }

  /** Writes the responses following back-pressure, then ends the call with OK. */
  private sendAll(call: ReadCall, responses: ReadResp[]): void {
    this.openCalls.add(call);
    let next = 0;
    let cancelled = false;
    call.on('cancelled', () => {
      cancelled = true;
      this.openCalls.delete(call);
    });
    const pump = () => {
      while (!cancelled && next < responses.length) {
        if (!call.write(responses[next++])) {
          call.once('drain', pump);
          return;
        }
      }
      if (!cancelled) {
        this.openCalls.delete(call);
        call.end();
      }
    };
    pump();
  }

  // ---------------------------------------------------------------------------------------------
  // Subscriptions

  private subscribe(
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
      source = () => this.state.streamRecords(streamName) as LogRecord[];
      // From a revision is exclusive: the subscription starts with the next event.
      nextIndex = streamOptions.hasEnd()
        ? source().length
        : streamOptions.hasRevision()
          ? Number(BigInt(streamOptions.getRevision()) + 1n)
          : 0;
    } else if (options.hasAll()) {
      const allOptions = options.getAll()!;
      source = () => this.state.log;
      nextIndex = allOptions.hasEnd()
        ? this.state.log.length
        : allOptions.hasPosition()
          ? firstIndexAfter(this.state, positionOf(allOptions.getPosition()!))
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

    const unsubscribe = this.state.onAppend(() => pump());
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      this.openCalls.delete(call);
    };
    call.on('cancelled', close);
    call.on('error', close);
    call.on('finish', close);
    this.openCalls.add(call);

    call.write(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
    pump();
  }
}

// -----------------------------------------------------------------------------------------------
// Helpers

class RpcError extends Error {
  constructor(readonly status: Partial<grpc.StatusObject>) {
    super(status.details);
  }
}

function invalidArgument(details: string): RpcError {
  return new RpcError({ code: grpc.status.INVALID_ARGUMENT, details });
}

function missingMetadata(property: string): RpcError {
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'missing-required-metadata-property');
  metadata.set('required-metadata-properties', property);
  return new RpcError({
    code: grpc.status.INVALID_ARGUMENT,
    details: `Required metadata property ${property} is missing`,
    metadata,
  });
}

function streamNameOf(identifier: StreamIdentifier | undefined): string {
  if (!identifier) throw invalidArgument('a stream identifier is required');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

function expectedVersionOf(options: AppendReq.Options): ExpectedVersion {
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.ANY:
      return { kind: 'any' };
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return { kind: 'revision', revision: BigInt(options.getRevision()) };
    default:
      throw invalidArgument('an append needs an expected stream revision');
  }
}

function success(currentRevision: bigint, position: bigint | undefined): AppendResp.Success {
  const result = new AppendResp.Success();
  if (currentRevision < 0n) result.setNoStream(new Empty());
  else result.setCurrentRevision(currentRevision.toString());
  if (position === undefined) result.setNoPosition(new Empty());
  else
    result.setPosition(
      new AppendResp.Position().setCommitPosition(position.toString()).setPreparePosition(position.toString()),
    );
  return result;
}

function wrongExpectedVersion(expected: ExpectedVersion, currentVersion: bigint): AppendResp.WrongExpectedVersion {
  const result = new AppendResp.WrongExpectedVersion();
  // Both the fields of servers since 20.6.1 and the deprecated 20.6.0 ones, as the server sends them.
  if (currentVersion < 0n) {
    result.setCurrentNoStream(new Empty());
    result.setNoStream2060(new Empty());
  } else {
    result.setCurrentRevision(currentVersion.toString());
    result.setCurrentRevision2060(Number(currentVersion));
  }
  switch (expected.kind) {
    case 'any':
      result.setExpectedAny(new Empty());
      result.setAny2060(new Empty());
      break;
    case 'stream_exists':
      result.setExpectedStreamExists(new Empty());
      result.setStreamExists2060(new Empty());
      break;
    case 'no_stream':
      result.setExpectedNoStream(new Empty());
      break;
    case 'revision':
      result.setExpectedRevision(expected.revision.toString());
      result.setExpectedRevision2060(Number(expected.revision));
      break;
  }
  return result;
}

function positionOf(position: ReadReq.Options.Position): bigint {
  // commit = prepare for every event here; the commit position orders the log.
  return BigInt(position.getCommitPosition());
}

function firstIndexAfter(state: InMemoryEsdbState, position: bigint): number {
  const index = state.indexAtOrAfter(position);
  return index < state.log.length && state.log[index].position === position ? index + 1 : index;
}

function uuidToString(uuid: UUID | undefined): string | undefined {
  if (!uuid) return undefined;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured()!;
    const hex =
      BigInt.asUintN(64, BigInt(structured.getMostSignificantBits())).toString(16).padStart(16, '0') +
      BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits())).toString(16).padStart(16, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return uuid.getString().toLowerCase();
}

function toUuid(id: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) return uuid.setString(id);
  const hex = id.replace(/-/g, '');
  return uuid.setStructured(
    new UUID.Structured()
      .setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString())
      .setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString()),
  );
}

function readEvent(record: LogRecord, structuredIds: boolean): ReadResp.ReadEvent {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(toUuid(record.eventId, structuredIds))
    .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(record.streamName, 'utf8')))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.position.toString())
    .setPreparePosition(record.position.toString())
    .setData(record.data)
    .setCustomMetadata(record.customMetadata);
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('created', record.created.toString())
    .set('content-type', record.contentType);
  return new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(record.position.toString());
}
