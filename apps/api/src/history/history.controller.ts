import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { allEventTypes } from '@agreements/domain';
import type { EventStore } from '@agreements/event-store';
import { checkStreamId, EVENT_STORE, validationFailed } from '@agreements/application';
import { ApiError } from '../http/api-error';
import { RequireRole } from '../http/auth.guard';
import { ApiQueryParams } from '../http/query-docs';
import { parseQuery, type QueryLimits, type QuerySpec } from '../http/query-params';
import { AllHistoryPage, ReadAllHistoryQuery, ReadStreamHistoryQuery, StreamHistoryPage } from './history';

const STREAM_PAGE: QuerySpec = { fromRevision: 'integer', limit: 'limit' };
const STREAM_LIMITS: QueryLimits = { defaultLimit: 100, maxLimit: 1000 };
const ALL_EVENTS: QuerySpec = { fromPosition: 'position', limit: 'limit', type: 'text' };
const ALL_LIMITS: QueryLimits = { defaultLimit: 1000, maxLimit: 1000 };

@ApiTags('history')
@ApiBearerAuth()
@Controller('v1')
export class HistoryController {
  constructor(
    private readonly queryBus: QueryBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  private async streamHistory(kind: 'agreement' | 'process', id: string, raw: Record<string, unknown>) {
    checkStreamId(`${kind}Id`, id);
    const q = parseQuery(raw, STREAM_PAGE, STREAM_LIMITS);
    const page = await this.queryBus.execute<ReadStreamHistoryQuery, StreamHistoryPage | undefined>(
      new ReadStreamHistoryQuery(`${kind}-${id}`, (q.fromRevision as number | undefined) ?? 0, q.limit as number),
    );
    if (!page) throw new ApiError(404, `${kind.toUpperCase()}_NOT_FOUND`, `No ${kind} ${id}`);
    return page;
  }

  @Get('agreements/:agreementId/events')
  @RequireRole('auditor')
  @ApiOperation({ summary: "An agreement's events with all their metadata, corrections next to what they correct",
    description: 'data is in the event type\'s current schema version (schemaVersion); an event stored in an older one also shows stored: { schemaVersion, data }, as it was stored',
  })
  @ApiQueryParams(STREAM_PAGE, STREAM_LIMITS, { fromRevision: 'The first revision to answer', limit: '1 to 1000, default 100' })
  agreementEvents(@Param('agreementId') id: string, @Query() raw: Record<string, unknown>) {
    return this.streamHistory('agreement', id, raw);
  }

  @Get('processes/:processId/events')
  @RequireRole('auditor')
  @ApiOperation({ summary: "A process's events with all their metadata" })
  @ApiQueryParams(STREAM_PAGE, STREAM_LIMITS, { fromRevision: 'The first revision to answer', limit: '1 to 1000, default 100' })
  processEvents(@Param('processId') id: string, @Query() raw: Record<string, unknown>) {
    return this.streamHistory('process', id, raw);
  }

  @Get('events')
  @RequireRole('auditor')
  @ApiOperation({ summary: 'Every event of every stream in global order, for replay' })
  @ApiQueryParams(ALL_EVENTS, ALL_LIMITS, {
    fromPosition: 'Inclusive; a position from a command response or nextPosition',
    limit: '1 to 1000, default 1000',
    type: { description: 'Only events of this type', schema: { enum: [...allEventTypes] } },
  })
  async allEvents(@Query() raw: Record<string, unknown>) {
    const q = parseQuery(raw, ALL_EVENTS, ALL_LIMITS);
    let fromPosition: string | undefined;
    if (q.fromPosition !== undefined) {
      try {
        fromPosition = this.store.parsePosition(String(q.fromPosition));
      } catch {
        throw validationFailed([{ field: 'fromPosition', message: 'must be a position from a command response' }]);
      }
    }
    if (q.type !== undefined && !(allEventTypes as readonly string[]).includes(String(q.type))) {
      throw validationFailed([{ field: 'type', message: `must be an event type: ${allEventTypes.join(', ')}` }]);
    }
    return this.queryBus.execute<ReadAllHistoryQuery, AllHistoryPage>(
      new ReadAllHistoryQuery(fromPosition, q.limit as number, q.type as string | undefined),
    );
  }
}
