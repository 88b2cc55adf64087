import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

const BASE_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  imgSrc: ["'self'"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The console at / and everything else that is not /docs: no inline script or style at all. */
const STRICT_DIRECTIVES = { ...BASE_DIRECTIVES, styleSrc: ["'self'"] };

/** The Swagger UI needs its inline <style> block and the data: URIs of its icons; nothing more. */
const DOCS_DIRECTIVES = {
  ...BASE_DIRECTIVES,
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
};

const isDocs = (url: string) => url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?') || url.startsWith('/docs-json');

/**
 * Every answer: X-Content-Type-Options nosniff and helmet's other defaults, with a restrictive
 * Content-Security-Policy. The console (static files at /) gets the strictest: scripts, styles,
 * images and requests from this origin only, no inline script or style, no framing. The Swagger
 * UI at /docs gets the same loosened only for what it needs (its inline <style> and data: icons;
 * its scripts are files of this origin).
 *
 * helmet itself, built once per policy: @fastify/helmet builds a new helmet (and parses the
 * policy again) for every request, which cost about 4% of the CPU of a command in the HTTP
 * benchmark. The JSON answers of /v1 get what the contract asks of them, `nosniff` (and
 * `no-store`, set with authentication): helmet's dozen headers on every command answer cost the
 * server and its clients more bytes to write and parse than the command itself, and a policy
 * about scripts and frames says nothing to a JSON reader. Everything else gets helmet's full set.
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const strict = helmet({ contentSecurityPolicy: { useDefaults: false, directives: STRICT_DIRECTIVES } });
  const docs = helmet({ contentSecurityPolicy: { useDefaults: false, directives: DOCS_DIRECTIVES } });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/v1/')) {
      void reply.header('x-content-type-options', 'nosniff');
      return done();
    }
    const setHeaders = isDocs(request.url) ? docs : strict;
    setHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
}
