import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Every answer: X-Content-Type-Options nosniff and helmet's other defaults, with one restrictive
 * Content-Security-Policy. Only the Swagger UI at /docs serves HTML; its scripts and stylesheet
 * are files of this origin, and what it needs beyond that is narrow: its inline <style> block
 * and the data: URIs of its icons. No script runs that is not a file served here.
 *
 * helmet itself, built once: @fastify/helmet builds a new helmet (and parses the policy again)
 * for every request, which cost about 4% of the CPU of a command in the HTTP benchmark. The JSON
 * answers of /v1 get what the contract asks of them, `nosniff` (and `no-store`, set with
 * authentication): helmet's dozen headers on every command answer cost the server and its clients
 * more bytes to write and parse than the command itself, and a policy about scripts and frames
 * says nothing to a JSON reader. Everything else (/docs, health, metrics) gets helmet's full set.
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const setHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/v1/')) {
      void reply.header('x-content-type-options', 'nosniff');
      return done();
    }
    setHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
}
