import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { createHttpApp } from './http/http-app';
import { createRuntime } from './infrastructure/runtime';
import { installShutdown } from './infrastructure/shutdown';

/** `npm start`: the API with the projector (and the relay when KAFKA_BROKERS is set) in one process. */
async function main(): Promise<void> {
  const config = loadConfig();
  const projector = config.runProjector ? (config.projectorThread ? 'thread' : true) : false;
  const runtime = await createRuntime(config, { role: 'api', projector, relay: config.runRelay });
  const app = await createHttpApp(runtime);
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  runtime.logger.info(
    { url: `http://${config.host}:${port}`, docs: `http://${config.host}:${port}/docs`, dataDir: config.dataDir },
    'agreements API listening',
  );
  const creds = runtime.credentials;
  if (creds.file) {
    runtime.logger.info(
      { credentialsFile: creds.file, generated: creds.generated },
      'API_KEYS is not set: tokens for each role are in the credentials file (mode 0600)',
    );
  }
  installShutdown(runtime.logger, async () => {
    await app.close();
    await runtime.close();
  });
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`agreements: configuration error: ${err.message}`);
  } else {
    console.error('agreements: failed to start:', err);
  }
  process.exit(1);
});
