import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ProjectorStatus } from '@agreements/read-models';
import type { AppConfig } from '../config/config';

/** What the API process needs of a projector, wherever it runs. */
export interface ProjectorHandle {
  status(): Promise<ProjectorStatus>;
  stop(): Promise<void>;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'status'; id: number; status: ProjectorStatus }
  | { type: 'stopped' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg: string };

const STATUS_TIMEOUT_MS = 2000;

/**
 * Runs the projector on a worker thread of this process (npm start does): the projection's
 * folding and read-model writes then use the machine's second core instead of competing with
 * HTTP on the API's event loop. The thread opens its own connections to the event store and the
 * read models; with the embedded store it polls for new events every 20 ms.
 *
 * Only for built code: the thread loads dist/ (tests run the projector in-thread).
 */
export function startProjectorThread(config: AppConfig, logger: Logger): Promise<ProjectorHandle> {
  const worker = new Worker(join(__dirname, 'projector-thread.worker.js'), { workerData: { config } });
  const pending = new Map<number, (status: ProjectorStatus) => void>();
  let nextId = 1;
  let stopped: (() => void) | undefined;
  let exited = false;
  // stop() ends the thread with terminate(), which exits it with code 1: expected, not an error.
  let stopping = false;

  return new Promise<ProjectorHandle>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          resolve(handle);
          break;
        case 'failed':
          reject(new Error(`the projector thread failed to start: ${message.message}`));
          break;
        case 'status':
          pending.get(message.id)?.(message.status);
          pending.delete(message.id);
          break;
        case 'stopped':
          stopped?.();
          break;
        case 'log':
          logger[message.level]({ ...message.obj, thread: 'projector' }, message.msg);
          break;
      }
    });
    worker.on('error', (err) => {
      logger.error({ err }, 'projector thread crashed');
      reject(err);
    });
    worker.on('exit', (code) => {
      exited = true;
      if (code !== 0 && !stopping) logger.error({ code }, 'projector thread exited');
      stopped?.();
    });

    const handle: ProjectorHandle = {
      status() {
        if (exited) return Promise.reject(new Error('the projector thread has exited'));
        const id = nextId++;
        return new Promise<ProjectorStatus>((resolveStatus, rejectStatus) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            rejectStatus(new Error(`the projector thread did not answer within ${STATUS_TIMEOUT_MS} ms`));
          }, STATUS_TIMEOUT_MS);
          pending.set(id, (status) => {
            clearTimeout(timer);
            resolveStatus(status);
          });
          worker.postMessage({ type: 'status', id });
        });
      },
      async stop() {
        if (exited) return;
        stopping = true;
        await new Promise<void>((resolveStop) => {
          stopped = resolveStop;
          worker.postMessage({ type: 'stop' });
        });
        await worker.terminate();
      },
    };
  });
}
