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
 * For tests, not from the server: `calls` logs every call with when it arrived and was answered
 * (call-log.ts), and `latencyMs` answers every call that much later, standing in for a network,
 * so that the round trips of an operation can be counted (calls in flight together count once).
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
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import type { Empty } from '@eventstore/db-client/generated/shared_pb';
import { handleAppend } from './append-handler';
import { CallLog } from './call-log';
import { InMemoryEsdbState } from './in-memory-state';
import { handleRead } from './read-handler';
import type { AppendCall, ReadCall, ServerContext } from './server-context';
import { streamNameOf } from './wire';
import type { AppendResp } from '@eventstore/db-client/generated/streams_pb';

export interface EsdbTestServerOptions {
  /** 0 (default) binds an ephemeral port; restarts of the same instance reuse the bound port. */
  port?: number;
  host?: string;
  /** Pass the state of a previous server to start on the same data. */
  state?: InMemoryEsdbState;
  /** Reported by ServerFeatures. */
  serverVersion?: string;
  /**
   * Answer every call this many milliseconds late (default 0), standing in for the network to a
   * real node: round trips then cost time, and calls sent in parallel overlap (see call-log.ts).
   */
  latencyMs?: number;
}

export class EsdbTestServer {
  readonly state: InMemoryEsdbState;
  private readonly host: string;
  private requestedPort: number;
  private readonly serverVersion: string;
  private server: grpc.Server | undefined;
  private readonly openCalls = new Set<ReadCall | AppendCall>();
  private readonly context: ServerContext;
  /** Every call made to this server (kept across restarts), for tests that count round trips. */
  readonly calls = new CallLog();

  constructor(options: EsdbTestServerOptions = {}) {
    this.state = options.state ?? new InMemoryEsdbState();
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 0;
    this.serverVersion = options.serverVersion ?? '24.10.0';
    this.context = {
      state: this.state,
      openCalls: this.openCalls,
      calls: this.calls,
      latencyMs: options.latencyMs ?? 0,
    };
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
      append: (call: AppendCall, callback: grpc.sendUnaryData<AppendResp>) =>
        handleAppend(this.context, call, callback),
      read: (call: ReadCall) => this.read(call),
      // BatchAppend, Delete and Tombstone are left to grpc-js, which answers UNIMPLEMENTED.
    });
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (
        _call: grpc.ServerUnaryCall<Empty, SupportedMethods>,
        callback: grpc.sendUnaryData<SupportedMethods>,
      ) => {
        this.calls.end(this.calls.start('server-features'));
        callback(null, this.supportedMethods());
      },
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

  /** Logs the read (or subscription) and serves it, late when a latency is set. */
  private read(call: ReadCall): void {
    const options = call.request.getOptions();
    const identifier = options?.getStream()?.getStreamIdentifier();
    const record = this.calls.start(
      options?.hasSubscription() ? 'subscribe' : 'read',
      identifier ? streamNameOf(identifier) : '$all',
    );
    const ended = () => this.calls.end(record);
    call.once('finish', ended);
    call.once('cancelled', ended);
    const serve = () => {
      if (!call.cancelled) handleRead(this.context, call);
    };
    if (this.context.latencyMs > 0) setTimeout(serve, this.context.latencyMs);
    else serve();
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
}
