// The projector's thread (see projector-thread.ts). A worker has a module system of its own, so it
// registers the @agreements/* aliases for dist/ itself before loading anything of ours.
require(require('node:path').join(__dirname, '..', '..', '..', '..', '..', 'scripts', 'register-paths.js'));

import { parentPort, workerData } from 'node:worker_threads';
import { Projector } from '@agreements/read-models';
import type { AppConfig } from '../config/config';
import { openEventStore } from '../runtime/event-store';
import { openReadModels } from '../runtime/read-models';

const config = (workerData as { config: AppConfig }).config;
const port = parentPort!;
const log = (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) =>
  port.postMessage({ type: 'log', level, obj, msg });

async function main(): Promise<void> {
  // The thread reaches the events the API commits through the store's own polling (its commit
  // notifications stay on the API's thread); 20 ms keeps the projection lag low at little cost.
  const eventStore = await openEventStore(config, { info: (obj, msg) => log('info', typeof obj === 'string' ? {} : { ...obj }, msg ?? String(obj)) }, { pollIntervalMs: 20 });
  const readModelStore = await openReadModels(config);
  const projector = new Projector(eventStore, readModelStore, {
    onError: (err) => log('error', { err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'projector: batch failed; retrying with backoff'),
  });
  await projector.start();
  port.on('message', (message: { type: string; id?: number }) => {
    if (message.type === 'status') {
      void projector.status().then((status) => port.postMessage({ type: 'status', id: message.id, status }));
    } else if (message.type === 'stop') {
      void (async () => {
        await projector.stop();
        await readModelStore.close();
        await eventStore.close();
        port.postMessage({ type: 'stopped' });
      })();
    }
  });
  port.postMessage({ type: 'ready' });
}

main().catch((err) => port.postMessage({ type: 'failed', message: (err as Error)?.stack ?? String(err) }));
