import 'reflect-metadata';
import { ConfigError, loadConfig } from '../../api/src/config';
import { createRuntime } from '../../api/src/infrastructure/runtime';
import { installShutdown } from '../../api/src/infrastructure/shutdown';
import { serveOperations } from '../../api/src/operations/ops-server';

/**
 * The projector alone, for production: follows the event store into the read models
 * (PostgreSQL when DATABASE_URL is set). Health and metrics on PORT (default 3001).
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, PORT: process.env.PORT ?? '3001' });
  const runtime = await createRuntime(config, { role: 'projector', projector: true, relay: false });
  const server = await serveOperations(runtime.health, runtime.metrics, config.port, config.host);
  runtime.logger.info({ port: config.port }, 'projector running; /health and /metrics on this port');
  installShutdown(runtime.logger, async () => {
    server.close();
    await runtime.close();
  });
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(`projector: configuration error: ${err.message}`);
  else console.error('projector: failed to start:', err);
  process.exit(1);
});
