import 'reflect-metadata';
import { claimDataDir, createRuntime, installShutdown, loadConfig, relayPlacement, serveOperationsOnThread, startProcess } from '@agreements/platform';
import { loadCredentials } from './http/credentials';
import { createHttpApp } from './http/http-app';

/** `npm start`: the API with the projector (and the relay when KAFKA_BROKERS is set) in one process, each on a thread of its own. */
startProcess('api', async () => {
  const config = loadConfig();
  const credentials = loadCredentials(config.apiKeys, config.dataDir);
  const projector = config.runProjector ? (config.projectorThread ? 'thread' : true) : false;
  const runtime = await createRuntime(config, { role: 'api', projector, relay: relayPlacement(config), ledger: true });
  const app = await createHttpApp(runtime, credentials);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // A busy port: stop the projector thread and close the stores before reporting it.
    await app.close().catch(() => undefined);
    await runtime.close();
    throw err;
  }
  // OPS_PORT: /health/* and /metrics on a listener of their own, run by a worker thread, whatever
  // the /v1 connections hold or the main loop is busy with. See docs/architecture.md.
  const ops =
    config.http.opsPort === undefined
      ? undefined
      : await serveOperationsOnThread(runtime.health, runtime.metrics, config.http.opsPort, config.host).catch(async (err) => {
          await app.close().catch(() => undefined);
          await runtime.close();
          throw err;
        });
  const releaseDataDir = claimDataDir(config, 'api');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  runtime.logger.info(
    { url: `http://${config.host}:${port}`, docs: `http://${config.host}:${port}/docs`, dataDir: config.dataDir },
    'agreements API listening',
  );
  if (ops) runtime.logger.info({ url: `http://${config.host}:${ops.port}` }, 'health and metrics also on their own listener (OPS_PORT, a thread of its own)');
  if (credentials.file) {
    runtime.logger.info(
      { credentialsFile: credentials.file, generated: credentials.generated },
      'API_KEYS is not set: tokens for each role are in the credentials file (mode 0600)',
    );
  }
  installShutdown(runtime.logger, async () => {
    releaseDataDir();
    await ops?.close();
    await app.close();
    await runtime.close();
  });
});
