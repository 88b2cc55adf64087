import type { Logger } from 'pino';
import { type AnyThreadBody, type DataOf, type EventOf, type ReplyOf, type RequestOf, WorkerThread } from '@agreements/worker-threads';

/** A log line a worker thread of this process sends to its logger (the threads have none of their own). */
export interface ThreadLogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

/**
 * Starts a body whose events are log lines (ThreadLogLine) on a worker thread of this process:
 * its lines go to `logger` tagged with the thread's role, a crash is logged, and it resolves once
 * the body has opened; a failed start throws "the <role> thread failed to start: …".
 */
export async function startLoggedThread<Body extends AnyThreadBody>(options: {
  /** The module exporting the body, absolute and without extension (see StartThreadOptions). */
  module: string;
  export: string;
  data: DataOf<Body>;
  /** projector, ledger, relay: names the thread in its lines and errors. */
  role: string;
  logger: Logger;
  /** The error line when the thread ends unasked; default "<role> thread crashed". */
  crashMessage?: string;
}): Promise<WorkerThread<RequestOf<Body>, ReplyOf<Body>, EventOf<Body>>> {
  const { role, logger } = options;
  const thread = WorkerThread.start<Body>({
    module: options.module,
    export: options.export,
    data: options.data,
    name: `${role} thread`,
    onEvent: (event) => {
      const line = event as ThreadLogLine;
      logger[line.level]({ ...line.obj, thread: role }, line.msg);
    },
    onCrash: (err) => logger.error({ err }, options.crashMessage ?? `${role} thread crashed`),
  });
  try {
    await thread.ready();
  } catch (err) {
    throw new Error(`the ${role} thread failed to start: ${(err as Error).message}`);
  }
  return thread;
}
