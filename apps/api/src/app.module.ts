import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CommandPathModule, type Principal } from '@agreements/application';
import { HealthRegistry, Metrics, type Runtime } from '@agreements/platform';
import { CommandsController } from './commands/commands.controller';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { HistoryController } from './history/history.controller';
import { HISTORY_HANDLERS } from './history/history';
import { LedgerController } from './ledger/ledger.controller';
import { AuthGuard, CREDENTIALS } from './http/auth.guard';
import { ApiErrorFilter } from './http/error.filter';
import { OperationsController } from './operations/operations.controller';
import { MinPositionGate } from './queries/min-position';
import { QUERY_HANDLERS } from './queries/queries';
import { QueriesController } from './queries/queries.controller';
import { WhoamiController } from './session/whoami.controller';
import { DELIVERIES, LEDGER, READ_MODELS } from './tokens';

/**
 * The API: commands through the application's command path into the event store, queries into
 * the read models, history out of the event store. The runtime (stores, projector, relay) is
 * built outside Nest, by the platform, so every process composes the same pieces.
 */
@Module({})
export class AppModule {
  static forRuntime(runtime: Runtime, credentials: Map<string, Principal>): DynamicModule {
    return {
      module: AppModule,
      imports: [CommandPathModule.forStore(runtime.eventStore, runtime.metrics)],
      controllers: [CommandsController, QueriesController, HistoryController, DeliveriesController, LedgerController, OperationsController, WhoamiController],
      providers: [
        { provide: READ_MODELS, useValue: runtime.readModels },
        { provide: DELIVERIES, useValue: runtime.deliveries },
        { provide: LEDGER, useValue: runtime.ledger },
        { provide: CREDENTIALS, useValue: credentials },
        { provide: Metrics, useValue: runtime.metrics },
        { provide: HealthRegistry, useValue: runtime.health },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        MinPositionGate,
        ...QUERY_HANDLERS,
        ...HISTORY_HANDLERS,
      ],
    };
  }
}
