import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { UUID_PATTERN } from '@agreements/domain';
import type { EventStore, RecordedEvent } from '@agreements/event-store';
import type { LedgerService } from '@agreements/ledger';
import type { DeliveryAnswer, DeliveryReader } from '@agreements/messaging';
import { EVENT_STORE, validationFailed } from '@agreements/application';
import { ApiError } from '../http/api-error';
import { RequireRole } from '../http/auth.guard';
import { parseQuery } from '../http/query-params';
import { DELIVERIES, LEDGER } from '../tokens';

const EVENT_ID = new RegExp(UUID_PATTERN);

const DELIVERY_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['topic', 'partition', 'offset', 'publishedAt'],
    properties: {
      topic: { type: 'string', examples: ['agreements.events.v1'] },
      partition: { type: 'integer', minimum: 0 },
      offset: { type: 'string', pattern: '^[0-9]+$', description: 'The Kafka offset, a decimal string (offsets are 64-bit)' },
      publishedAt: { type: 'string', format: 'date-time', description: "When the broker's acknowledgement reached the relay" },
    },
  },
};

/** Where the relay delivered an event, for auditors who check what was sent to Kafka. */
@ApiTags('history')
@ApiBearerAuth()
@Controller('v1')
export class DeliveriesController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DELIVERIES) private readonly deliveries: DeliveryReader,
    @Inject(LEDGER) private readonly ledger: LedgerService | undefined,
  ) {}

  @Get('events/:eventId/deliveries')
  @RequireRole('auditor')
  @ApiOperation({
    summary: 'Where the relay delivered an event: topic, partition and offset of each acknowledged copy',
    description:
      'Recorded with the relay\'s checkpoint once the broker acknowledged the event; [] without Kafka or before the relay reached it. ' +
      'At least once: a copy the relay sent but did not record before a crash is not listed (it was sent again and that copy is).',
  })
  @ApiParam({ name: 'eventId', description: 'The event id (a UUID), as in /v1/events and ce_id on Kafka' })
  @ApiResponse({ status: 200, description: 'The deliveries, oldest first', schema: DELIVERY_SCHEMA })
  @ApiResponse({ status: 400, description: 'VALIDATION_FAILED: not an event id', schema: { $ref: '#/components/schemas/Error' } })
  @ApiResponse({ status: 404, description: 'EVENT_NOT_FOUND', schema: { $ref: '#/components/schemas/Error' } })
  async deliveriesOf(@Param('eventId') eventId: string, @Query() raw: Record<string, unknown>): Promise<DeliveryAnswer[]> {
    parseQuery(raw, {});
    if (!EVENT_ID.test(eventId)) throw validationFailed([{ field: 'eventId', message: 'must be an event id (a UUID)' }]);
    const event = (await this.store.findEvent(eventId)) ?? (await this.eventThroughLedger(eventId));
    if (!event) throw new ApiError(404, 'EVENT_NOT_FOUND', `No event ${eventId}`);
    return this.deliveries.deliveriesOf(event);
  }

  /**
   * On EventStoreDB, commands record their events without reserving each id (two round trips, see
   * esdb-command-claims.ts), so the store cannot find them by id; the ledger's tree knows where
   * each event is in the log.
   */
  private async eventThroughLedger(eventId: string): Promise<RecordedEvent | undefined> {
    const position = this.ledger?.positionOf(eventId);
    if (position === undefined) return undefined;
    const [event] = await this.store.readAll({ fromPosition: position, maxCount: 1 });
    return event?.eventId.toLowerCase() === eventId.toLowerCase() ? event : undefined;
  }
}
