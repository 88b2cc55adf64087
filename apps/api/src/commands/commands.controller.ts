import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import { CurrentPrincipal, RequireRole } from '../http/auth.guard';
import { AGREEMENTS, prepareCommand, PROCESSES, type Principal, type RecordOutcome, type StreamKind } from '@agreements/application';

type CommandRequest = FastifyRequest & { expectedFromIfMatch?: boolean };

async function accept(
  commandBus: CommandBus,
  kind: StreamKind,
  id: string,
  body: unknown,
  principal: Principal,
  request: CommandRequest,
  reply: FastifyReply,
) {
  const header = (name: string) => {
    const v = request.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(header('content-type') ?? '')) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the command as JSON with Content-Type: application/json');
  }
  const prepared = prepareCommand(
    kind,
    id,
    body,
    principal,
    { ifMatch: header('if-match'), correlationId: header('x-correlation-id') },
    new Date(),
  );
  request.expectedFromIfMatch = prepared.expectedFromIfMatch;
  const { command } = prepared;
  const outcome = await commandBus.execute<typeof command, RecordOutcome>(command);
  void reply.header('etag', `"${outcome.result.revision}"`);
  void reply.header('x-correlation-id', command.correlationId);
  void reply.header('x-causation-id', command.body.commandId);
  if (outcome.replayed) {
    void reply.header('idempotent-replay', 'true');
    void reply.status(200);
  }
  // The contract's answer, without what the store adds for the command path (recordedAt).
  const { streamId, revision, position, events } = outcome.result;
  return { streamId, revision, position, events };
}

const commandDocs = (kind: StreamKind) => [
  ApiOperation({
    summary: `Record a command on a ${kind.name}`,
    description: `One of: ${kind.validator.types.join(', ')}. The same commandId with the same body answers the first result again (200, Idempotent-Replay: true).`,
  }),
  ApiParam({ name: kind.idParam, description: 'A slug: 3 to 100 of a-z, 0-9 and -' }),
  ApiHeader({ name: 'If-Match', required: false, description: 'The expected revision in quotes ("3"); 412 when stale' }),
  ApiHeader({ name: 'X-Correlation-Id', required: false }),
  ApiBody({ schema: { $ref: `#/components/schemas/${kind.name}-command` } }),
  ApiResponse({ status: 201, description: 'Stored', schema: { $ref: '#/components/schemas/CommandAccepted' } }),
  ApiResponse({ status: 200, description: 'Idempotent replay of an earlier command with this commandId' }),
  ApiResponse({ status: 400, description: 'VALIDATION_FAILED', schema: { $ref: '#/components/schemas/Error' } }),
  ApiResponse({ status: 404, description: `${kind.name.toUpperCase()}_NOT_FOUND`, schema: { $ref: '#/components/schemas/Error' } }),
  ApiResponse({ status: 409, description: 'REVISION_CONFLICT or COMMAND_ID_REUSED', schema: { $ref: '#/components/schemas/Error' } }),
  ApiResponse({ status: 412, description: 'REVISION_CONFLICT when the revision came in If-Match', schema: { $ref: '#/components/schemas/Error' } }),
  ApiResponse({ status: 413, description: 'PAYLOAD_TOO_LARGE', schema: { $ref: '#/components/schemas/Error' } }),
  ApiResponse({ status: 422, description: 'A domain rule refused it', schema: { $ref: '#/components/schemas/Error' } }),
  ApiResponse({ status: 429, description: 'RATE_LIMITED: too many commands for this token, or failed authentications from this address (Retry-After)', schema: { $ref: '#/components/schemas/Error' } }),
];

const apply = (decorators: MethodDecorator[]): MethodDecorator => (target, key, descriptor) => {
  for (const d of decorators.reverse()) d(target, key, descriptor);
};

@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1')
export class CommandsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('agreements/:agreementId/commands')
  @HttpCode(201)
  @RequireRole('operator')
  @apply(commandDocs(AGREEMENTS))
  agreementCommand(
    @Param('agreementId') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() request: CommandRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return accept(this.commandBus, AGREEMENTS, id, body, principal, request, reply);
  }

  @Post('processes/:processId/commands')
  @HttpCode(201)
  @RequireRole('operator')
  @apply(commandDocs(PROCESSES))
  processCommand(
    @Param('processId') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() request: CommandRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return accept(this.commandBus, PROCESSES, id, body, principal, request, reply);
  }
}
