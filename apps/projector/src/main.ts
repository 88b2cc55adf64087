import 'reflect-metadata';
import { createRuntime, installShutdown, loadConfig, serveOperations, startProcess } from '@agreements/platform';

/**
 * The projector alone, for production: follows the event store into the read models
 * (PostgreSQL when DATABASE_URL is set). Health and metrics on PORT (default 3001).
 */
startProcess('projector', async () => {
  const config = loadConfig({ ...process.env, PORT: process.env.PORT ?? '3001' });
  const runtime = await createRuntime(config, { role: 'projector', projector: true, relay: false });
  const server = await serveOperations(runtime.health, runtime.metrics, config.port, config.host);
  runtime.logger.info({ port: config.port }, 'projector running; /health and /metrics on this port');
  installShutdown(runtime.logger, async () => {
    server.close();
    await runtime.close();
  });
});
