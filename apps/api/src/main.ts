import 'reflect-metadata';
import { claimDataDir, createRuntime, installShutdown, loadConfig, serveOperations, startProcess } from '@agreements/platform';
import { loadCredentials } from './http/credentials';
import { createHttpApp } from './http/http-app';

/** `npm start`: the API with the projector (and the relay when KAFKA_BROKERS is set) in one process. */
startProcess('api', async () => {
  const config = loadConfig();
  const credentials = loadCredentials(config.apiKeys, config.dataDir);
  const projector = config.runProjector ? (config.projectorThread ? 'thread' : true) : false;
  const runtime = await createRuntime(config, { role: 'api', projector, relay: config.runRelay, ledger: true });
  const app = await createHttpApp(runtime, credentials);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // A busy port: stop the projector thread and close the stores before reporting it.
    await app.close().catch(() => undefined);
    await runtime.close();
    throw err;
  }
  // OPS_PORT: /health/* and /metrics on a listener of their own, whatever the /v1 connections
  // hold (queued keep-alive requests, rate limits, slow bodies). See docs/architecture.md.
  const ops =
    config.http.opsPort === undefined
      ? undefined
      : await serveOperations(runtime.health, runtime.metrics, config.http.opsPort, config.host).catch(async (err) => {
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
  if (ops) {
    const opsAddress = ops.address();
    runtime.logger.info(
      { url: `http://${config.host}:${typeof opsAddress === 'object' && opsAddress ? opsAddress.port : config.http.opsPort}` },
      'health and metrics also on their own listener (OPS_PORT)',
    );
  }
  if (credentials.file) {
    runtime.logger.info(
      { credentialsFile: credentials.file, generated: credentials.generated },
      'API_KEYS is not set: tokens for each role are in the credentials file (mode 0600)',
    );
  }
  installShutdown(runtime.logger, async () => {
    releaseDataDir();
    await new Promise((resolve) => (ops ? ops.close(resolve) : resolve(undefined)));
    await app.close();
    await runtime.close();
  });
});
