import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { CommandsController } from './commands/commands.controller';
import { RecordAgreementCommandHandler, RecordProcessCommandHandler } from './commands/record-command';
import { HistoryController } from './history/history.controller';
import { HISTORY_HANDLERS } from './history/history';
import { AuthGuard, CREDENTIALS } from './http/auth.guard';
import { ApiErrorFilter } from './http/error.filter';
import { APP_CONFIG, EVENT_STORE, READ_MODELS } from './infrastructure/tokens';
import type { Runtime } from './infrastructure/runtime';
import { HealthRegistry } from './operations/health';
import { Metrics } from './operations/metrics';
import { OperationsController } from './operations/operations.controller';
import { MinPositionGate } from './queries/min-position';
import { QUERY_HANDLERS } from './queries/queries';
import { QueriesController } from './queries/queries.controller';

/**
 * The API: commands through @nestjs/cqrs handlers into the event store, queries into the read
 * models, history out of the event store. The runtime (stores, projector, relay) is built
 * outside Nest so the CLI and the other apps compose the same pieces.
 */
@Module({})
export class AppModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [CommandsController, QueriesController, HistoryController, OperationsController],
      providers: [
        { provide: APP_CONFIG, useValue: runtime.config },
        { provide: EVENT_STORE, useValue: runtime.eventStore },
        { provide: READ_MODELS, useValue: runtime.readModels },
        { provide: CREDENTIALS, useValue: runtime.credentials.byToken },
        { provide: Metrics, useValue: runtime.metrics },
        { provide: HealthRegistry, useValue: runtime.health },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        MinPositionGate,
        RecordAgreementCommandHandler,
        RecordProcessCommandHandler,
        ...QUERY_HANDLERS,
        ...HISTORY_HANDLERS,
      ],
    };
  }
}
