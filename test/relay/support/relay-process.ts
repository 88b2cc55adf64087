import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freeTcpPort } from '../../support/kafka';

const ROOT = join(__dirname, '..', '..', '..');

export interface RelayProcess {
  child: ChildProcess;
  base: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The relay part of /health/ready (any status code), or undefined while it does not answer. */
  ready(): Promise<{ httpStatus: number; body: any } | undefined>;
  metric(name: string): Promise<number | undefined>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * apps/relay/src/main.ts as its own OS process (compiled on load by support/register-ts.js), so
 * that a test can kill -9 it in the middle of publishing. With `built`, the compiled relay
 * (dist/apps/relay/src/main.js, `npm run build` first) as `npm run start:relay` runs it.
 */
export async function startRelayProcess(env: Record<string, string>, { built = false }: { built?: boolean } = {}): Promise<RelayProcess> {
  const port = await freeTcpPort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PORT: String(port) };
  for (const name of ['DATABASE_URL', 'EVENTSTORE_CONNECTION_STRING', 'JEST_WORKER_ID']) if (!(name in env)) delete childEnv[name];
  const args = built
    ? ['-r', join(ROOT, 'scripts/register-paths.js'), join(ROOT, 'dist/apps/relay/src/main.js')]
    : ['-r', join(ROOT, 'test/relay/support/register-ts.js'), join(ROOT, 'apps/relay/src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const relay: RelayProcess = {
    child,
    base,
    output: () => out,
    exited,
    async ready() {
      try {
        const response = await fetch(`${base}/health/ready`);
        return { httpStatus: response.status, body: await response.json() };
      } catch {
        return undefined;
      }
    },
    async metric(name) {
      try {
        const text = await (await fetch(`${base}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith(`${name} `));
        return line === undefined ? undefined : Number(line.split(' ')[1]);
      } catch {
        return undefined;
      }
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return relay;
}

/** Polls until the check returns something truthy; rejects with `what` and the process output after timeoutMs. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, output?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${output ? `\n--- relay output ---\n${output()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
