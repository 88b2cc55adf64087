/**
 * Command claims of the EventStoreDB store (the CommandClaims of handle-command.ts): what lets
 * handleCommand store a command in two round trips. The protocol is in esdb-command-log.ts.
 */
import { NO_STREAM, type AppendExpectedRevision, type EventStoreDBClient } from '@eventstore/db-client';
import { AppendResult, DuplicateEventIdError, EventToAppend, WrongExpectedRevisionError } from '../event-store.port';
import {
  ClaimOutcome,
  CommandClaim,
  CommandClaims,
  CommandIdReusedError,
  eventIdFor,
} from '../handle-command';
import {
  BookkeepingTypes,
  commandLogStream,
  startedCommandRecord,
  type EsdbCommandLog,
  type StartedCommand,
} from './esdb-command-log';
import { toEventData } from './esdb-mapping';
import { formatPosition, positionFromClient } from './esdb-position';
import { readBack } from './esdb-read-back';
import { bookkeepingEvent, exactly, tryAppend } from './esdb-streams';

/** Events per command that refuseStoredDerivedIds recognises as derived (commands decide a few). */
const MAX_DERIVED_INDEX = 64;

/** k when the id is eventIdFor(commandId, k); only name-based (version 5) ids are tried. */
function derivedIndex(eventId: string, commandId: string | undefined): number | undefined {
  const id = eventId.toLowerCase();
  if (!commandId || id[14] !== '5') return undefined;
  for (let index = 0; index < MAX_DERIVED_INDEX; index += 1) if (eventIdFor(commandId, index) === id) return index;
  return undefined;
}

/** Rounds of "the log moved while I looked" before giving up; each one means another writer got in. */
const MAX_CLAIM_ROUNDS = 20;

export class EsdbCommandClaims implements CommandClaims {
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly log: EsdbCommandLog,
  ) {}

  async claim(command: { commandId: string; requestHash: string; streamId: string }): Promise<ClaimOutcome> {
    const stream = commandLogStream(command.commandId);
    const started: StartedCommand = { requestHash: command.requestHash, streamId: command.streamId };
    // Most ids are new: claim first, and read the log only when it exists.
    let expected: AppendExpectedRevision = NO_STREAM;
    let type: string = BookkeepingTypes.commandStarted;
    for (let round = 1; round <= MAX_CLAIM_ROUNDS; round += 1) {
      const written = await tryAppend(this.client, stream, [bookkeepingEvent(type, { ...started })], expected);
      if (written.ok) {
        const fresh = type === BookkeepingTypes.commandStarted;
        return { kind: 'claimed', claim: { ...command, fresh, revision: written.lastRevision } };
      }

      // The rare path: the id was used before (a retry, a crash, a race, or another body).
      const state = await this.log.state(command.commandId);
      switch (state.kind) {
        case 'none':
          expected = NO_STREAM;
          type = BookkeepingTypes.commandStarted;
          break;
        case 'released':
          expected = BigInt(state.revision);
          type = BookkeepingTypes.commandStarted;
          break;
        case 'completed':
          return { kind: 'recorded', record: state.record };
        case 'claimed': {
          // Claimed by a plain store.append with this command: finish it as findCommand does.
          const record = await this.log.find(command.commandId);
          if (record) return { kind: 'recorded', record };
          break;
        }
        case 'started': {
          const record = await startedCommandRecord(this.client, command.commandId, state.started);
          if (record) return { kind: 'recorded', record };
          // Pending: its first request may still be executing it, so only the same body may go on.
          if (state.started.requestHash !== command.requestHash) throw new CommandIdReusedError(command.commandId);
          // Take it over: a compare-and-set on the log, so its first request can no longer release it.
          expected = BigInt(state.revision);
          type = BookkeepingTypes.commandResumed;
          break;
        }
      }
    }
    throw new Error(`command ${command.commandId}: its log kept moving for ${MAX_CLAIM_ROUNDS} rounds`);
  }

  async appendClaimed(
    streamId: string,
    events: EventToAppend[],
    revision: number,
    claim: CommandClaim,
  ): Promise<AppendResult> {
    // Skipping the event-id registry is sound only for the ids derived from the claimed command id.
    events.forEach((event, index) => {
      if (event.eventId.toLowerCase() !== eventIdFor(claim.commandId, index)) {
        throw new Error(`event ${index} of command ${claim.commandId} does not have the id derived from it`);
      }
    });
    const appended = await tryAppend(this.client, streamId, events.map(toEventData), exactly(revision));
    if (!appended.ok) {
      throw new WrongExpectedRevisionError(streamId, revision < 0 ? 'no_stream' : revision, appended.actual);
    }
    const position = positionFromClient(appended.lastPosition);
    // The answer carries the position of the write: for one event outside an explicit transaction
    // that is the event's own (commit = prepare). More events, or a position that is not plainly
    // the event's, are read back (a third round trip).
    if (events.length > 1 || !position || position.commit !== position.prepare) {
      return readBack(this.client, streamId, events, appended.lastRevision - events.length + 1);
    }
    const [event] = events;
    const result = { revision: appended.lastRevision, position: formatPosition(position) };
    return { streamId, ...result, events: [{ eventId: event.eventId, type: event.type, ...result }] };
  }

  /**
   * handleCommand's events skip the event-id registry, so an append that does not go through it
   * (a plain one, or store.append with a command) is checked here for copies of them: an event
   * whose id is derived from the command id in its own metadata (as a stored event copied back in
   * has) is refused when that command stored it. One extra read, for such ids only. A copy under
   * another command id in its metadata, or one racing the command's own append, is not caught.
   */
  async refuseStoredDerivedIds(events: EventToAppend[]): Promise<void> {
    for (const event of events) {
      const index = derivedIndex(event.eventId, event.metadata.commandId);
      if (index === undefined) continue;
      const state = await this.log.state(event.metadata.commandId);
      if (state.kind !== 'started') continue;
      const record = await startedCommandRecord(this.client, event.metadata.commandId, state.started);
      if (record && record.result.events.length > index) throw new DuplicateEventIdError(event.eventId);
    }
  }

  async release(claim: CommandClaim): Promise<void> {
    // Only a claim's own request, and only while no retry took it over (the log is still at its
    // claim): then no one else may be executing it, and its own append surely failed or never ran.
    if (!claim.fresh) return;
    try {
      await tryAppend(
        this.client,
        commandLogStream(claim.commandId),
        [bookkeepingEvent(BookkeepingTypes.commandReleased, { commandId: claim.commandId })],
        BigInt(claim.revision),
      );
    } catch {
      // Best effort: a claim left in place only keeps the id for this request's body.
    }
  }
}
