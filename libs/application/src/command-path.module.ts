import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '@agreements/event-store';
import { RecordAgreementCommandHandler, RecordProcessCommandHandler } from './commands/record-command';
import { COMMAND_METRICS, type CommandMetrics, EVENT_STORE } from './tokens';

/**
 * The command bus with the handlers that record commands: what the HTTP API and the CLI import
 * share. The process brings its event store and its metrics; CqrsModule.forRoot() is global, so
 * the importing module's controllers and query handlers get the same buses.
 */
@Module({})
export class CommandPathModule {
  static forStore(eventStore: EventStore, metrics: CommandMetrics): DynamicModule {
    return {
      module: CommandPathModule,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: EVENT_STORE, useValue: eventStore },
        { provide: COMMAND_METRICS, useValue: metrics },
        RecordAgreementCommandHandler,
        RecordProcessCommandHandler,
      ],
      exports: [EVENT_STORE, COMMAND_METRICS],
    };
  }
}
