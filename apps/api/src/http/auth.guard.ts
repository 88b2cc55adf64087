import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Principal, Role } from '@agreements/application';
import { ApiError } from './api-error';
import { ROLE_GRANTS } from './credentials';

export const CREDENTIALS = Symbol('CREDENTIALS');
const REQUIRED_ROLE = 'agreements:required-role';

/**
 * The role a route needs; every /v1 route declares one. It is also put in the Fastify route's
 * config, so the onRequest hook (access.ts) authenticates before the body is read.
 */
export const RequireRole = (role: Role) => applyDecorators(SetMetadata(REQUIRED_ROLE, role), RouteConfig({ requiredRole: role }));

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Who the Authorization header names, or the refusal: 401 unknown or missing, 403 wrong role. */
export function authenticate(
  header: string | undefined,
  required: Role,
  byToken: Map<string, Principal>,
): { principal: Principal } | { refusal: ApiError; unknown: boolean } {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const principal = match ? byToken.get(match[1]) : undefined;
  if (!principal) {
    return {
      unknown: true,
      refusal: new ApiError(
        401,
        'UNAUTHENTICATED',
        header ? 'The bearer token is not known' : 'Send Authorization: Bearer <token> (see API_KEYS or DATA_DIR/credentials.json)',
        undefined,
        { 'www-authenticate': 'Bearer' },
      ),
    };
  }
  if (!ROLE_GRANTS[principal.role].has(required)) {
    return { unknown: false, refusal: new ApiError(403, 'FORBIDDEN', `${principal.name} has the role ${principal.role}; this needs ${required}`) };
  }
  return { principal };
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(CREDENTIALS) private readonly byToken: Map<string, Principal>,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required) return true;
    // The onRequest hook has normally decided already; this guard keeps a route safe without it.
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const outcome = authenticate(request.headers.authorization, required, this.byToken);
    if ('refusal' in outcome) throw outcome.refusal;
    request.principal = outcome.principal;
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without RequireRole');
  return principal;
});
