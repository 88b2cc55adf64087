// The API assembled in the bench process (createRuntime + createHttpApp, as main.ts does), with
// the projector as an object the bench can listen to.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { Projector } from '@agreements/read-models';
import { createRuntime, loadConfig, type Runtime } from '@agreements/platform';
import { createHttpApp } from '../../apps/api/src/http/http-app';
import { BENCH_API_KEYS } from './processes';
import type { Scope } from './util';

export interface InProcessApi {
  base: string;
  runtime: Runtime;
  app: NestFastifyApplication;
  /** The projector createRuntime would start, started here so the bench can hear its batches. */
  projector: Projector;
}

/**
 * createRuntime with projector: false, then the same Projector createRuntime would build (over
 * the runtime's event store and read-model store, default options) started by the bench, so
 * onApplied tells the exact moment each batch and its checkpoint committed. Embedded SQLite for
 * both stores in a fresh DATA_DIR.
 */
export async function startInProcessApi(scope: Scope): Promise<InProcessApi> {
  const dataDir = scope.tempDir('in-process-api');
  const config = loadConfig({
    DATA_DIR: dataDir,
    API_KEYS: BENCH_API_KEYS,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RUN_PROJECTOR: 'false',
    RUN_RELAY: 'false',
  });
  const logger = pino({ level: 'silent' });
  const runtime = await createRuntime(config, { role: 'api', projector: false, relay: false, logger });
  scope.defer('close in-process runtime', () => runtime.close());
  const projector = new Projector(runtime.eventStore, runtime.readModelStore, {
    onError: (error) => console.error(`    projector error: ${error instanceof Error ? error.message : String(error)}`),
  });
  await projector.start();
  runtime.background.push({ name: 'projector', stop: () => projector.stop() });
  const app = await createHttpApp(runtime);
  scope.defer('close in-process HTTP app', () => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { base: `http://127.0.0.1:${port}`, runtime, app, projector };
}
