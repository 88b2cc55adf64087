import { createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { EventStore } from '@agreements/event-store';
import type { ReadModelQueries } from '@agreements/read-models';
import { EVENT_STORE, validationFailed } from '@agreements/application';
import { ApiError } from '../http/api-error';
import { READ_MODELS } from '../tokens';

/**
 * The Min-Position header of a read. Read here rather than with @Headers, which the OpenAPI
 * document lists as a required parameter of each route: the controller declares it once, optional.
 */
export const MinPosition = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<FastifyRequest>().headers['min-position'],
);

const WAIT_MS = 5000;
const POLL_MS = 5;

/**
 * Read-your-writes: a client that sends `Min-Position` (from a command response) is answered only
 * once the read models have applied that position, or gets 503 with Retry-After after 5 s.
 */
@Injectable()
export class MinPositionGate {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
  ) {}

  async waitFor(header: string | string[] | undefined): Promise<void> {
    if (header === undefined || header === '') return;
    if (Array.isArray(header)) throw validationFailed([{ field: 'Min-Position', message: 'must be given once' }]);
    let wanted: string;
    try {
      wanted = this.store.parsePosition(header.trim());
    } catch {
      throw validationFailed([{ field: 'Min-Position', message: 'must be a position from a command response' }]);
    }
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const applied = await this.readModels.checkpoint();
      if (applied !== undefined && this.store.comparePositions(applied, wanted) >= 0) return;
      if (Date.now() >= deadline) {
        throw new ApiError(
          503,
          'READ_MODEL_BEHIND',
          `The read models have not reached position ${wanted} within 5 s (at ${applied ?? 'nothing yet'}); retry shortly`,
          { wanted, applied: applied ?? null },
          { 'retry-after': '1' },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
