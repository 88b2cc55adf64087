// Runs client-worker.ts in a worker thread and hands its reports to the section.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ClientMessage, ClientWorkerData, Consumed } from './client-worker';
import type { Accepted, PacedLoadResult } from './paced-load';
import type { PacedReadsResult } from './paced-reads';
import type { Scope } from './util';

export interface LoadDone {
  result: PacedLoadResult;
  accepted: Accepted[];
  /** Present when the load mixed reads in. */
  reads?: PacedReadsResult;
}

export interface Client {
  /** Resolves when the load has ended and every request was answered (or given up on). */
  loadDone: Promise<LoadDone>;
  /** Ends the consumer and the thread. */
  stop(): Promise<void>;
}

export function startClient(
  scope: Scope,
  data: ClientWorkerData,
  onConsumed: (items: Consumed[]) => void = () => undefined,
): Client {
  const worker = new Worker(join(__dirname, 'client-worker.js'), { workerData: data });
  let resolveLoad!: (value: LoadDone) => void;
  let rejectLoad!: (error: Error) => void;
  const loadDone = new Promise<LoadDone>((resolve, reject) => {
    resolveLoad = resolve;
    rejectLoad = reject;
  });
  // Nobody may be waiting on loadDone when the worker fails during stop().
  loadDone.catch(() => undefined);
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  worker.on('message', (message: ClientMessage) => {
    if (message.kind === 'consumed') onConsumed(message.items);
    else if (message.kind === 'loadDone') resolveLoad({ result: message.result, accepted: message.accepted, reads: message.reads });
    else if (message.kind === 'error') rejectLoad(new Error(`client worker: ${message.message}`));
    else if (message.kind === 'stopped') resolveStopped();
  });
  worker.on('error', (error) => rejectLoad(error));
  worker.on('exit', (code) => {
    rejectLoad(new Error(`the client worker exited with ${code}`));
    resolveStopped();
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      worker.postMessage('stop');
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      await worker.terminate();
    })();
    return stopping;
  };
  scope.defer('stop the client worker', stop);
  return { loadDone, stop };
}
