import type * as grpc from '@grpc/grpc-js';
import type { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { CallLog } from './call-log';
import type { InMemoryEsdbState } from './in-memory-state';

export type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;
export type AppendCall = grpc.ServerReadableStream<AppendReq, AppendResp>;

/** What the handlers of one server share: its state, and the calls still open (stop() ends them). */
export interface ServerContext {
  readonly state: InMemoryEsdbState;
  readonly openCalls: Set<ReadCall | AppendCall>;
  /** Every call, for tests that count round trips. */
  readonly calls: CallLog;
  /** How late every call is answered (0: at once), standing in for a network. */
  readonly latencyMs: number;
}
