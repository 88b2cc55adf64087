// Child processes of the bench: the built API server, the EventStoreDB test server, and helper
// scripts. Each is stopped by the scope that started it.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, progress, ROOT, type Scope, sleep } from './util';

const REGISTER_PATHS = join(ROOT, 'scripts', 'register-paths.js');

/** The operator token the bench's API servers accept. */
export const BENCH_TOKEN = `bench-${randomUUID()}`;
export const BENCH_API_KEYS = `bench:operator:${BENCH_TOKEN}`;

/**
 * Settings that would move the server off the embedded stores (or start a relay) if the shell
 * running the bench had them set: blank means "not set" to loadConfig.
 */
const EMBEDDED_ONLY = { DATABASE_URL: '', EVENTSTORE_CONNECTION_STRING: '', KAFKA_BROKERS: '' };

export interface ServerProcess {
  base: string;
  child: ChildProcess;
  dataDir: string;
  output(): string;
  /** SIGTERM (graceful shutdown), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * The node options of package.json's start script (the API thread's heap limit, see
 * docs/architecture.md, "Memory budget"), so the bench's server is the one `npm start` runs.
 */
export function startScriptNodeOptions(): string[] {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(1, words.indexOf('-r')).filter((word) => word.startsWith('--'));
}

function builtFile(relative: string): string {
  const file = join(ROOT, 'dist', relative);
  if (!existsSync(file))
    throw new Error(`${file} is missing: run the bench through \`npm run bench\` (it builds first)`);
  return file;
}

function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return exited.finally(() => clearTimeout(timer));
}

/**
 * A built app (`main`, under dist/) as its own OS process on a free port of 127.0.0.1, with its
 * output kept for error messages; resolves once `healthPath` answers 200, and is stopped when the
 * scope closes (registered after any tempDir of the caller, so it runs first: the process is gone
 * before its directory is removed).
 */
async function startBuiltServer(
  scope: Scope,
  what: string,
  main: string,
  dataDir: string,
  env: Record<string, string>,
  healthPath: string,
  nodeOptions: string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeOptions, '-r', REGISTER_PATHS, builtFile(main)], {
    cwd: ROOT,
    env: { ...process.env, ...EMBEDDED_ONLY, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: ServerProcess = { base: `http://127.0.0.1:${port}`, child, dataDir, output: () => out, stop: () => stopChild(child, exited) };
  scope.defer(`stop ${what} pid ${child.pid}`, () => server.stop());
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the ${what} exited with ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${server.base}${healthPath}`)).status === 200) return server;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the ${what} did not answer ${healthPath} within 60 s:\n${out}`);
}

/**
 * `dist/apps/api/src/main.js` as its own OS process over a fresh DATA_DIR (embedded SQLite event
 * store and read models), as `npm start` runs it, so the load generator has its own event loop.
 */
export async function startApiServer(scope: Scope, env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = scope.tempDir('api');
  return startBuiltServer(
    scope,
    'API server',
    'apps/api/src/main.js',
    dataDir,
    { API_KEYS: BENCH_API_KEYS, NODE_ENV: 'production', ...env },
    '/health/ready',
    startScriptNodeOptions(),
  );
}

/**
 * The HTTP ceiling (http-ceiling-server.ts): the least a durable command path does, as its own
 * process over a fresh directory, accepting the bench's token.
 */
export async function startHttpCeilingServer(scope: Scope): Promise<ServerProcess> {
  const dataDir = scope.tempDir('http-ceiling');
  return startBuiltServer(scope, 'HTTP ceiling server', 'bench/lib/http-ceiling-server.js', dataDir, { TOKEN: BENCH_TOKEN }, '/health/ready');
}

/**
 * `dist/apps/relay/src/main.js` as its own OS process, the production shape of the relay, over
 * the given DATA_DIR (its embedded event store) and broker; resolves once /health/live answers.
 */
export async function startRelayServer(scope: Scope, dataDir: string, env: Record<string, string>): Promise<ServerProcess> {
  return startBuiltServer(scope, 'relay', 'apps/relay/src/main.js', dataDir, env, '/health/live');
}

/** The in-memory EventStoreDB stand-in (gRPC) in its own process; resolves with its connection string. */
export async function startEsdbTestServer(scope: Scope): Promise<{ connectionString: string; child: ChildProcess }> {
  const main = builtFile('libs/event-store/src/esdb/test-server/main.js');
  const child = spawn(process.execPath, ['-r', REGISTER_PATHS, main, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  scope.defer(`stop EventStoreDB test server pid ${child.pid}`, () => stopChild(child, exited));
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-5000)));
  const connectionString = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the EventStoreDB test server did not start within 30 s: ${errors}`)),
      30_000,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /connection string: (\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the EventStoreDB test server exited with ${code}: ${errors}`));
    });
  });
  return { connectionString, child };
}

/**
 * Runs a node script to its end, showing its output lines as progress; resolves with the output.
 * Stopped (SIGTERM) when the scope closes first.
 */
export async function runNodeScript(
  scope: Scope,
  args: string[],
  options: { nodeOptions?: string[]; env?: Record<string, string> } = {},
): Promise<string> {
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  scope.defer(`stop ${args[0]} pid ${child.pid}`, () => stopChild(child, exited));
  let out = '';
  let errors = '';
  createInterface({ input: child.stdout! }).on('line', (line) => {
    out += `${line}\n`;
    progress(`  ${line}`);
  });
  child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-10_000)));
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}: ${errors.trim()}`);
  return out;
}
