import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Principal, Role } from '@agreements/application';
import { ApiError } from './api-error';
import { ROLE_GRANTS } from './credentials';

export const CREDENTIALS = Symbol('CREDENTIALS');
const REQUIRED_ROLE = 'agreements:required-role';

/** The role a route needs; every /v1 route declares one. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

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
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const principal = match ? this.byToken.get(match[1]) : undefined;
    if (!principal) {
      throw new ApiError(
        401,
        'UNAUTHENTICATED',
        header ? 'The bearer token is not known' : 'Send Authorization: Bearer <token> (see API_KEYS or DATA_DIR/credentials.json)',
        undefined,
        { 'www-authenticate': 'Bearer' },
      );
    }
    if (!ROLE_GRANTS[principal.role].has(required)) {
      throw new ApiError(403, 'FORBIDDEN', `${principal.name} has the role ${principal.role}; this needs ${required}`);
    }
    request.principal = principal;
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without RequireRole');
  return principal;
});
