import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ProjectorStatus } from '@agreements/read-models';
import type { AppConfig } from '../config/config';
import { startLoggedThread } from '../runtime/logged-thread';
import type { projectorThread } from './projector-thread-body';

/** What the API process needs of a projector, wherever it runs. */
export interface ProjectorHandle {
  status(): Promise<ProjectorStatus>;
  stop(): Promise<void>;
}

const STATUS_TIMEOUT_MS = 2000;
/** The projector finishes its batch and closes its stores; a stuck one is ended after this. */
const STOP_TIMEOUT_MS = 8000;

/**
 * Runs the projector on a worker thread of this process (npm start does): the projection's
 * folding and read-model writes then use the machine's second core instead of competing with
 * HTTP on the API's event loop. The thread opens its own connections to the event store and the
 * read models; with the embedded store it polls for new events every 20 ms.
 */
export async function startProjectorThread(config: AppConfig, logger: Logger): Promise<ProjectorHandle> {
  const thread = await startLoggedThread<typeof projectorThread>({
    module: join(__dirname, 'projector-thread-body'),
    export: 'projectorThread',
    data: { config },
    role: 'projector',
    logger,
  });
  return {
    status: () => thread.request('status', { timeoutMs: STATUS_TIMEOUT_MS }),
    stop: () => thread.stop({ timeoutMs: STOP_TIMEOUT_MS }),
  };
}
