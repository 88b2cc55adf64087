import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { allEventTypes } from '@agreements/domain';
import type { EventStore } from '@agreements/event-store';
import { checkStreamId, EVENT_STORE, validationFailed } from '@agreements/application';
import { ApiError } from '../http/api-error';
import { RequireRole } from '../http/auth.guard';
import { parseQuery } from '../http/query-params';
import { AllHistoryPage, ReadAllHistoryQuery, ReadStreamHistoryQuery, StreamHistoryPage } from './history';

const STREAM_PAGE = { fromRevision: 'integer', limit: 'limit' } as const;

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
    const q = parseQuery(raw, STREAM_PAGE, { defaultLimit: 100, maxLimit: 1000 });
    const page = await this.queryBus.execute<ReadStreamHistoryQuery, StreamHistoryPage | undefined>(
      new ReadStreamHistoryQuery(`${kind}-${id}`, (q.fromRevision as number | undefined) ?? 0, q.limit as number),
    );
    if (!page) throw new ApiError(404, `${kind.toUpperCase()}_NOT_FOUND`, `No ${kind} ${id}`);
    return page;
  }

  @Get('agreements/:agreementId/events')
  @RequireRole('auditor')
  @ApiOperation({ summary: "An agreement's events with all their metadata, corrections next to what they correct" })
  @ApiQuery({ name: 'fromRevision', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 100' })
  agreementEvents(@Param('agreementId') id: string, @Query() raw: Record<string, unknown>) {
    return this.streamHistory('agreement', id, raw);
  }

  @Get('processes/:processId/events')
  @RequireRole('auditor')
  @ApiOperation({ summary: "A process's events with all their metadata" })
  @ApiQuery({ name: 'fromRevision', required: false })
  @ApiQuery({ name: 'limit', required: false })
  processEvents(@Param('processId') id: string, @Query() raw: Record<string, unknown>) {
    return this.streamHistory('process', id, raw);
  }

  @Get('events')
  @RequireRole('auditor')
  @ApiOperation({ summary: 'Every event of every stream in global order, for replay' })
  @ApiQuery({ name: 'fromPosition', required: false, description: 'Inclusive; a position from a command response or nextPosition' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 1000' })
  @ApiQuery({ name: 'type', required: false, description: 'Only events of this type' })
  async allEvents(@Query() raw: Record<string, unknown>) {
    const q = parseQuery(raw, { fromPosition: 'position', limit: 'limit', type: 'text' }, { defaultLimit: 1000, maxLimit: 1000 });
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
