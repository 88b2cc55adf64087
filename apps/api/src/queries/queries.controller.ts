import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AGREEMENT_KINDS, AGREEMENT_STATUSES } from '@agreements/domain';
import { InvalidCursorError, type Page, type View } from '@agreements/read-models';
import { checkStreamId, validationFailed } from '@agreements/application';
import { ApiError } from '../http/api-error';
import { RequireRole } from '../http/auth.guard';
import { ApiQueryParams } from '../http/query-docs';
import { parseQuery, type QueryLimits, type QuerySpec } from '../http/query-params';
import { MinPosition, MinPositionGate } from './min-position';
import {
  GetAgreementQuery,
  GetAgreementTimelineQuery,
  GetProcessQuery,
  ListAgreementsQuery,
  ListProcessesQuery,
} from './queries';

const TIME = { asOf: 'business-time', knownAt: 'recorded-time' } as const;
const LIST_AGREEMENTS: QuerySpec = {
  status: AGREEMENT_STATUSES,
  party: 'actor',
  boundParty: 'actor',
  processId: 'slug',
  kind: AGREEMENT_KINDS,
  inForceOn: 'business-time',
  ...TIME,
  limit: 'limit',
  cursor: 'cursor',
};
const LIST_PROCESSES: QuerySpec = { limit: 'limit', cursor: 'cursor' };
const PAGE: QueryLimits = { maxLimit: 500 };
const notFound = (kind: 'AGREEMENT' | 'PROCESS', id: string, time: { asOf?: unknown; knownAt?: unknown }) =>
  new ApiError(
    404,
    `${kind}_NOT_FOUND`,
    time.asOf || time.knownAt
      ? `No ${kind.toLowerCase()} ${id} existed at that time (asOf/knownAt)`
      : `No ${kind.toLowerCase()} ${id}`,
  );

async function page<T>(run: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof InvalidCursorError) throw validationFailed([{ field: 'cursor', message: 'is not a cursor this API gave' }]);
    throw err;
  }
}

@ApiTags('queries')
@ApiBearerAuth()
@ApiHeader({ name: 'Min-Position', required: false, description: 'Wait (up to 5 s, then 503) until the read models reached this position' })
@Controller('v1')
export class QueriesController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly gate: MinPositionGate,
  ) {}

  @Get('agreements')
  @RequireRole('reader')
  @ApiOperation({
    summary: 'Agreements, filtered, a page at a time',
    description:
      'Without asOf / knownAt / boundParty the filters read the current rows. With them, every filter applies to each agreement ' +
      'as it stood asOf, as known at knownAt (each candidate is folded from its events: slower, see docs/domain.md).',
  })
  @ApiQueryParams(LIST_AGREEMENTS, PAGE, {
    party: 'An actor id (RUS, group:e3): agreements where it is a party, itself or as a member of a group party',
    boundParty:
      'An actor id: agreements that bind it (adopted, signed, ratified or acceded, not withdrawn since), itself or through a group; ' +
      'with inForceOn, in force for it on that day',
    inForceOn: 'Agreements in force on this business time (with boundParty: in force for that party)',
    asOf: 'Business time: each filter applies to the agreement as it stood then, and the items are shown as of then',
    knownAt: 'Recorded time: each filter applies to the agreement as the store knew it then (RFC 3339, or a date as in business time)',
    limit: '1 to 500, default 50',
  })
  async listAgreements(@Query() raw: Record<string, unknown>, @MinPosition() minPosition?: string | string[]) {
    const q = parseQuery(raw, LIST_AGREEMENTS, PAGE);
    await this.gate.waitFor(minPosition);
    const { limit, cursor, ...filter } = q;
    return page(() =>
      this.queryBus.execute<ListAgreementsQuery, Page<View>>(
        new ListAgreementsQuery(filter as Record<string, string>, { limit: limit as number, cursor: cursor as string | undefined }),
      ),
    );
  }

  @Get('agreements/:agreementId')
  @RequireRole('reader')
  @ApiOperation({ summary: 'An agreement now, or as it was (asOf) / as it was known (knownAt)' })
  @ApiQueryParams(TIME)
  @ApiResponse({ status: 404, description: 'AGREEMENT_NOT_FOUND' })
  async getAgreement(
    @Param('agreementId') id: string,
    @Query() raw: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
    @MinPosition() minPosition?: string | string[],
  ) {
    checkStreamId('agreementId', id);
    const time = parseQuery(raw, TIME);
    await this.gate.waitFor(minPosition);
    const view = await this.queryBus.execute<GetAgreementQuery, View | undefined>(new GetAgreementQuery(id, time as never));
    if (!view) throw notFound('AGREEMENT', id, time);
    void reply.header('etag', `"${view.revision}"`);
    return view;
  }

  @Get('agreements/:agreementId/timeline')
  @RequireRole('reader')
  @ApiOperation({ summary: 'Status intervals of the agreement, of each provision and of each party (parties: { <partyId>: [{ status, from, to, eventId }] }), in business time' })
  @ApiQueryParams(TIME)
  async getTimeline(
    @Param('agreementId') id: string,
    @Query() raw: Record<string, unknown>,
    @MinPosition() minPosition?: string | string[],
  ) {
    checkStreamId('agreementId', id);
    const time = parseQuery(raw, TIME);
    await this.gate.waitFor(minPosition);
    const view = await this.queryBus.execute<GetAgreementTimelineQuery, View | undefined>(
      new GetAgreementTimelineQuery(id, time as never),
    );
    if (!view) throw notFound('AGREEMENT', id, time);
    return view;
  }

  @Get('processes')
  @RequireRole('reader')
  @ApiOperation({ summary: 'Negotiation processes, a page at a time' })
  @ApiQueryParams(LIST_PROCESSES, PAGE, { limit: '1 to 500, default 50' })
  async listProcesses(@Query() raw: Record<string, unknown>, @MinPosition() minPosition?: string | string[]) {
    const q = parseQuery(raw, LIST_PROCESSES, PAGE);
    await this.gate.waitFor(minPosition);
    return page(() =>
      this.queryBus.execute<ListProcessesQuery, Page<View>>(
        new ListProcessesQuery({ limit: q.limit as number, cursor: q.cursor as string | undefined }),
      ),
    );
  }

  @Get('processes/:processId')
  @RequireRole('reader')
  @ApiOperation({ summary: 'A process: rounds, participants by role, working groups, documents, the next round' })
  @ApiQueryParams(TIME)
  async getProcess(
    @Param('processId') id: string,
    @Query() raw: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
    @MinPosition() minPosition?: string | string[],
  ) {
    checkStreamId('processId', id);
    const time = parseQuery(raw, TIME);
    await this.gate.waitFor(minPosition);
    const view = await this.queryBus.execute<GetProcessQuery, View | undefined>(new GetProcessQuery(id, time as never));
    if (!view) throw notFound('PROCESS', id, time);
    void reply.header('etag', `"${view.revision}"`);
    return view;
  }
}
