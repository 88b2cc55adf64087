// A real Kafka broker for tests: scripts/kafka.sh (jars from Maven Central, no Docker).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

export interface KafkaBrokerOptions {
  /** Client port (KAFKA_PORT); default 9092, the shared development broker. */
  port?: number;
  controllerPort?: number;
  /** KAFKA_HOME_DIR: data, config and logs of this broker. */
  homeDir?: string;
}

function scriptEnv(options: KafkaBrokerOptions): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (options.port !== undefined) env.KAFKA_PORT = String(options.port);
  if (options.controllerPort !== undefined) env.KAFKA_CONTROLLER_PORT = String(options.controllerPort);
  if (options.homeDir !== undefined) {
    env.KAFKA_HOME_DIR = options.homeDir;
    shareCachedJars(options.homeDir);
  }
  return env;
}

/**
 * A broker with its own home folder reuses the jars the shared one already fetched (the script
 * keeps them in <home>/lib with a marker file), so that it needs no Maven download.
 */
function shareCachedJars(homeDir: string): void {
  const shared = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'agreements-kafka', 'lib');
  const lib = join(homeDir, 'lib');
  if (existsSync(lib) || !existsSync(join(shared, '.resolved'))) return;
  mkdirSync(homeDir, { recursive: true });
  symlinkSync(shared, lib);
}

/**
 * Starts the broker unless it runs already (`kafka.sh start` is idempotent and serialised by a
 * lock) and returns its address for KAFKA_BROKERS. With no options and KAFKA_BROKERS set, that
 * broker is used as it is.
 */
export async function ensureKafka(options: KafkaBrokerOptions = {}): Promise<string> {
  const shared = options.port === undefined && options.homeDir === undefined;
  if (shared && process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS;
  try {
    const { stdout } = await run('bash', [join(ROOT, 'scripts/kafka.sh'), 'start'], { cwd: ROOT, env: scriptEnv(options), timeout: 240_000 });
    const match = /KAFKA_BROKERS=(\S+)/.exec(stdout);
    if (!match) throw new Error(`kafka.sh start printed no KAFKA_BROKERS line:\n${stdout}`);
    return match[1];
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`could not start the Kafka broker with scripts/kafka.sh: ${(error as Error).message}\n${stderr ?? ''}`);
  }
}

/** Stops a broker (its data is kept). Only for brokers a test started on its own ports and home folder. */
export async function stopKafka(options: KafkaBrokerOptions & { homeDir: string }): Promise<void> {
  await run('bash', [join(ROOT, 'scripts/kafka.sh'), 'stop'], { cwd: ROOT, env: scriptEnv(options), timeout: 120_000 });
}

/** Topic prefix unique to one test, so tests sharing a broker never see each other's messages. */
export function uniqueTopicPrefix(label: string): string {
  return `test-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.`;
}

/** A TCP port nothing listens on right now. */
export { freePort as freeTcpPort } from './process';

/** Deletes the topics whose names start with one of the prefixes (a test's own topics), ignoring failures. */
export async function deleteTopics(brokers: string, prefixes: string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'test-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => prefixes.some((prefix) => topic.startsWith(prefix)));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // Leftover test topics on a development broker are harmless.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
