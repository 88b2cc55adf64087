// Test support: an embedded event store followed live by a projector into one read-model backend,
// the setup of the specs that record commands and read the projected answers.
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import { Projector } from '../projection/projector';
import type { ReadModelStore } from '../store/read-model-store';
import { BACKENDS, type Backend, createBackend } from './backends';

export interface LiveProjection {
  backend: Backend;
  events: SqliteEventStore;
  store: ReadModelStore;
  projector: Projector;
}

export async function startLiveProjection(backendName: (typeof BACKENDS)[number], projector: { batchSize?: number } = {}): Promise<LiveProjection> {
  const backend = await createBackend(backendName);
  const events = await SqliteEventStore.open({ file: join(backend.dir, 'events.sqlite'), pollIntervalMs: 20 });
  const store = await backend.open();
  const running = new Projector(events, store, { ...projector, retryDelayMs: 20 });
  await running.start();
  return { backend, events, store, projector: running };
}

export async function stopLiveProjection({ projector, events, backend }: LiveProjection): Promise<void> {
  await projector.stop();
  await events.close();
  await backend.cleanup();
}
