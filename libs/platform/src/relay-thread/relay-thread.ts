import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RelayStatus, RelayStatusSource } from '@agreements/messaging';
import type { AppConfig } from '../config/config';
import { startLoggedThread } from '../runtime/logged-thread';
import type { relayThread } from './relay-thread-body';

/** What the API process needs of a relay that runs on a thread of its own. */
export interface RelayThreadHandle extends RelayStatusSource {
  /** Resolves once everything stored when it was called has been acknowledged by the broker. */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * How often the thread's own connection looks for events the API committed (an embedded store's
 * commits wake only subscriptions of the connection that made them). A look is one indexed query;
 * 5 ms of it keeps the relay's share of the end-to-end lag small.
 */
export const RELAY_THREAD_POLL_MS = 5;
const STATUS_TIMEOUT_MS = 2000;
/** The relay waits up to its stopTimeoutMs (10 s) for the batch in flight, then 5 s more. */
const STOP_TIMEOUT_MS = 20_000;

/**
 * Runs the Kafka relay on a worker thread of this process (npm start does, unless RELAY_THREAD is
 * false): reading batches, encoding records, kafkajs' protocol work and the checkpoint writes then
 * stay off the API's event loop, whose delays under load otherwise add to every event's way to
 * Kafka. The thread opens its own connection to the event store and its own checkpoint store; the
 * status summaries are folded on a thread of the relay's own, as in apps/relay.
 */
export async function startRelayThread(config: AppConfig, logger: Logger, pollIntervalMs = RELAY_THREAD_POLL_MS): Promise<RelayThreadHandle> {
  const thread = await startLoggedThread<typeof relayThread>({
    module: join(__dirname, 'relay-thread-body'),
    export: 'relayThread',
    data: { config, pollIntervalMs },
    role: 'relay',
    logger,
    crashMessage: 'relay thread crashed; the relay is not publishing until the process restarts',
  });
  return {
    status: async () => (await thread.request({ kind: 'status' }, { timeoutMs: STATUS_TIMEOUT_MS })) as RelayStatus,
    waitUntilCaughtUp: async (timeoutMs = 30_000) => {
      await thread.request({ kind: 'caughtUp', timeoutMs }, { timeoutMs: timeoutMs + STATUS_TIMEOUT_MS });
    },
    stop: () => thread.stop({ timeoutMs: STOP_TIMEOUT_MS }),
  };
}
