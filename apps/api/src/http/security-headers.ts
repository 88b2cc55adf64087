import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Every answer: X-Content-Type-Options nosniff and helmet's other defaults, with one restrictive
 * Content-Security-Policy. Only the Swagger UI at /docs serves HTML; its scripts and stylesheet
 * are files of this origin, and what it needs beyond that is narrow: its inline <style> block
 * and the data: URIs of its icons. No script runs that is not a file served here.
 */
export async function registerSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  await fastify.register(helmet, {
    global: true,
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
}
