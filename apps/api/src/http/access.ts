import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal, Role } from '@agreements/application';
import type { HttpLimits } from '@agreements/platform';
import { ApiError } from './api-error';
import { authenticate, type AuthenticatedRequest } from './auth.guard';

const rateLimited = (seconds: number, message: string) =>
  new ApiError(429, 'RATE_LIMITED', message, undefined, { 'retry-after': String(Math.max(1, seconds)) });

const requiredRoleOf = (request: FastifyRequest): Role | undefined =>
  (request.routeOptions?.config as { requiredRole?: Role } | undefined)?.requiredRole;

const isCommand = (request: FastifyRequest) => request.method === 'POST';

/**
 * Who may call, decided before the body is read (an onRequest hook: Fastify parses the body only
 * after it), and how often:
 * - no or an unknown token 401, a known one with the wrong role 403, whatever the body;
 * - failed authentications counted per address: beyond half the allowance each 401 is slowed,
 *   beyond it every /v1 request from that address is refused 429 until the window ends (a right
 *   token too, or the lockout would tell a guesser when it guessed right);
 * - commands and queries per token within a window (429 with Retry-After beyond).
 * The counting is @fastify/rate-limit's; it must be registered before the routes.
 */
export async function registerAccess(fastify: FastifyInstance, byToken: Map<string, Principal>, limits: HttpLimits): Promise<void> {
  await fastify.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    // Retry-After on a 429 is what the contract asks; the x-ratelimit-* headers on every answer
    // only cost bytes on the hot path.
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    timeWindow: limits.rateWindowMs,
    // Unauthenticated routes (health, metrics, docs) and a limit of 0 are not counted.
    allowList: (request) => {
      const principal = (request as AuthenticatedRequest).principal;
      if (!principal) return true;
      return (isCommand(request) ? limits.commandsPerWindow : limits.queriesPerWindow) === 0;
    },
    keyGenerator: (request) => `${isCommand(request) ? 'commands' : 'queries'}:${(request as AuthenticatedRequest).principal?.name}`,
    max: (request) => (isCommand(request) ? limits.commandsPerWindow : limits.queriesPerWindow),
    errorResponseBuilder: (request, context) =>
      rateLimited(
        Math.ceil(context.ttl / 1000),
        `${(request as AuthenticatedRequest).principal?.name} sent more than ${context.max} ${isCommand(request) ? 'commands' : 'queries'} in ${limits.rateWindowMs} ms; retry after ${context.after}`,
      ),
  });
  const authFailures = fastify.createRateLimit({
    max: limits.authFailureLimit,
    timeWindow: limits.authFailureWindowMs,
    keyGenerator: (request) => `auth-failures:${request.ip}`,
    // Not the per-token allow list above: these requests have no principal.
    allowList: () => false,
  });

  // Added after the plugin's registration but as an app-wide hook: it runs before the rate
  // limit's per-route onRequest hook, which needs the principal it sets.
  fastify.addHook('onRequest', async (request: AuthenticatedRequest, reply) => {
    const required = requiredRoleOf(request);
    if (!required) return;
    void reply.header('cache-control', 'no-store');
    const before = await authFailures(request, { increment: false });
    if (!before.isAllowed && before.isExceeded) {
      throw rateLimited(before.ttlInSeconds, 'Too many failed authentications from this address; retry later');
    }
    const outcome = authenticate(request.headers.authorization, required, byToken);
    if ('principal' in outcome) {
      request.principal = outcome.principal;
      return;
    }
    if (outcome.unknown) {
      const after = await authFailures(request);
      if (!after.isAllowed && after.isExceeded) {
        throw rateLimited(after.ttlInSeconds, 'Too many failed authentications from this address; retry later');
      }
      const used = after.isAllowed ? 0 : after.max - after.remaining;
      const over = used - limits.authFailureLimit / 2;
      if (over > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * over)));
    }
    throw outcome.refusal;
  });
}
