import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { eventSchemaVersions } from '@agreements/domain';
import { AppendResult, EventStore, handleCommand, StreamStateCache } from '@agreements/event-store';
import type { Principal } from '../principal';
import { COMMAND_METRICS, type CommandMetrics, EVENT_STORE } from '../tokens';
import type { ValidatedCommand } from './command-validation';
import { AGREEMENTS, PROCESSES, StreamKind } from './stream-kinds';

abstract class RecordCommand {
  constructor(
    readonly id: string,
    readonly body: ValidatedCommand,
    readonly principal: Principal,
    readonly correlationId: string,
    readonly requestHash: string,
    /** Now, as the server sees it: the business time when the operator gave none. */
    readonly receivedAt: string,
    readonly expectedRevision?: number,
  ) {}
}

export class RecordAgreementCommand extends RecordCommand {}
export class RecordProcessCommand extends RecordCommand {}

export interface RecordOutcome {
  result: AppendResult;
  replayed: boolean;
}

const schemaVersionOf = (type: string): number => {
  const version = (eventSchemaVersions as Record<string, number>)[type];
  if (version === undefined) throw new Error(`event type ${type} has no schema version`);
  return version;
};

/** Folded states of the streams commands touched lately, per kind of stream (see handleCommand). */
const STREAMS_CACHED = 5000;

async function record(
  store: EventStore,
  metrics: CommandMetrics,
  kind: StreamKind,
  cache: StreamStateCache<unknown>,
  command: RecordCommand,
): Promise<RecordOutcome> {
  try {
    const outcome = await execute(store, kind, cache, command);
    if (!outcome.replayed) metrics.eventsAppended.inc({ stream_kind: kind.name }, outcome.result.events.length);
    return outcome;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    metrics.commandsRejected.inc({ code: typeof code === 'string' ? code : (err as Error).name });
    throw err;
  }
}

function execute(store: EventStore, kind: StreamKind, cache: StreamStateCache<unknown>, command: RecordCommand): Promise<RecordOutcome> {
  const { body } = command;
  return handleCommand(store, {
    cache,
    streamId: kind.streamId(command.id),
    decider: kind.decider,
    command: { type: body.type, data: body.data, occurredAt: body.occurredAt ?? command.receivedAt },
    expectedRevision: command.expectedRevision,
    context: {
      commandId: body.commandId,
      requestHash: command.requestHash,
      actor: command.principal.name,
      correlationId: command.correlationId,
      causationId: body.commandId,
      occurredAt: body.occurredAt ?? command.receivedAt,
      sources: body.sources ?? [],
      schemaVersionOf,
    },
  });
}

@CommandHandler(RecordAgreementCommand)
export class RecordAgreementCommandHandler implements ICommandHandler<RecordAgreementCommand, RecordOutcome> {
  private readonly cache = new StreamStateCache<unknown>(STREAMS_CACHED);
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMMAND_METRICS) private readonly metrics: CommandMetrics,
  ) {}
  execute(command: RecordAgreementCommand): Promise<RecordOutcome> {
    return record(this.store, this.metrics, AGREEMENTS, this.cache, command);
  }
}

@CommandHandler(RecordProcessCommand)
export class RecordProcessCommandHandler implements ICommandHandler<RecordProcessCommand, RecordOutcome> {
  private readonly cache = new StreamStateCache<unknown>(STREAMS_CACHED);
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMMAND_METRICS) private readonly metrics: CommandMetrics,
  ) {}
  execute(command: RecordProcessCommand): Promise<RecordOutcome> {
    return record(this.store, this.metrics, PROCESSES, this.cache, command);
  }
}
