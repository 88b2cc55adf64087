/**
 * Runs the in-memory EventStoreDB stand-in on its own, for manual tests of the apps against the
 * EventStoreDB adapter: `npm run esdb:test-server -- --port 2113`, then
 * EVENTSTORE_CONNECTION_STRING=esdb://127.0.0.1:2113?tls=false. The data lives as long as the
 * process.
 */
import { EsdbTestServer } from './esdb-test-server';

function portFromArguments(args: string[]): number {
  const index = args.indexOf('--port');
  const text = index >= 0 ? args[index + 1] : args.find((arg) => arg.startsWith('--port='))?.slice('--port='.length);
  if (text === undefined) return 2113;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${text}`);
  return port;
}

async function main(): Promise<void> {
  const server = new EsdbTestServer({ port: portFromArguments(process.argv.slice(2)) });
  await server.start();
  console.log(`EventStoreDB test server listening; connection string: ${server.connectionString}`);
  const shutdown = () => {
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
