/**
 * Runs the in-memory EventStoreDB stand-in on its own, for manual tests of the apps against the
 * EventStoreDB adapter: `npm run esdb:test-server -- --port 2113`, then
 * EVENTSTORE_CONNECTION_STRING=esdb://127.0.0.1:2113?tls=false (`--latency-ms N` answers every
 * call N ms late, like a node across a network). The data lives as long as the process.
 */
import { EsdbTestServer } from './esdb-test-server';

function argument(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

function portFromArguments(args: string[]): number {
  const text = argument(args, '--port');
  if (text === undefined) return 2113;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${text}`);
  return port;
}

/** --latency-ms N: answer every call N ms late, as a node across a network would. */
function latencyFromArguments(args: string[]): number {
  const text = argument(args, '--latency-ms');
  if (text === undefined) return 0;
  const latency = Number(text);
  if (!Number.isFinite(latency) || latency < 0) throw new Error(`--latency-ms must be a number of milliseconds, got ${text}`);
  return latency;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const server = new EsdbTestServer({ port: portFromArguments(args), latencyMs: latencyFromArguments(args) });
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
