import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where `npm run build` put the console (scripts/build-console.mjs writes dist/console). From the
 * built server (dist/apps/api/src/http) that is four levels up; from the sources (jest, ts-node)
 * it is dist/console under the repository root.
 */
export function consoleDirectory(): string | undefined {
  const up = join(__dirname, '..', '..', '..', '..');
  return [join(up, 'console'), join(up, 'dist', 'console')].find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * The web console's static files at / (index.html, one script, one stylesheet). Each file gets a
 * route of its own (no wildcard), so every other path keeps the API's 404 in the contract's
 * shape. Without a built console the server still runs and says so once.
 */
export async function registerConsole(fastify: FastifyInstance, dir = consoleDirectory()): Promise<void> {
  if (!dir) {
    fastify.log.warn('The web console is not built (npm run build writes dist/console); / answers 404');
    return;
  }
  await fastify.register(fastifyStatic, { root: dir, prefix: '/', wildcard: false, index: ['index.html'] });
}
