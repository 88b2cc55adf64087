/**
 * The durable command log and the event-id registry of the EventStoreDB store, kept in
 * EventStoreDB itself (so they survive restarts of the app and are shared by every process).
 *
 * EventStoreDB writes one stream atomically and nothing more: no transaction spans the events of a
 * command and its log entry, and it has no unique index on event ids (its own idempotency only
 * recognises the same ids re-sent at the same expected revision, or, with `any`, while they are in
 * a bounded cache). Both guarantees of the port are therefore built from single-stream writes with
 * an expected revision, which are atomic compare-and-set operations. There are two protocols, on
 * the same `commandlog-<commandId>` streams of `$`-typed events (the `^[^$]` filter keeps them out
 * of readAll and subscriptions).
 *
 * A. Commands through handleCommand (esdb-command-claims.ts): two round trips. A round trip is a
 *    sequential request/response wait; calls sent together and awaited together count once.
 *    (none | $CommandReleased) --claim--> $CommandStarted [--retry takes over--> $CommandResumed ...]
 *    RT1, in parallel: the claim, `$CommandStarted` {requestHash, streamId} expecting the log's
 *    state (no stream, in the common case), and the read of the stream. RT2: the append of the
 *    decided events at the exact revision decided on. Their ids are derived from the command id
 *    (eventIdFor), which only this claim holds, so they skip the event-id registry; one event's
 *    position comes with the append's answer (more events: a read-back, a third round trip).
 *    - Recorded = its derived events are in its stream: no completion is written. Finding a
 *      record (findCommand, or a claim that fails because the log exists) reads the log and scans
 *      the stream; those are the rare paths (retries, lookups), at about three round trips.
 *    - A started claim without its events is pending: its request is at work, or crashed. The
 *      same body (a retry) takes it over by appending `$CommandResumed` at the log's revision and
 *      executes it; another body is refused (CommandIdReusedError), since the first may still land.
 *    - Every executor of one claim appends only at an exact revision R after seeing that no event
 *      of the command is at R or before (a retry reads the whole stream). Two executors at the same
 *      R send the same ids, and EventStoreDB answers the second with the first's result (its exact-
 *      revision idempotency is checked against the stream, so it is durable); an executor whose
 *      append fails reads on and finds the other's events. So a command's events land once.
 *    - Release: a refused command (domain error, client expectation, no events) appends
 *      `$CommandReleased` expecting its own claim's revision, so it frees the id only when no retry
 *      took it over (then no one else can be executing it); a takeover never releases.
 *
 * B. Plain store.append with a command (the port's own path, as the contract suite drives it):
 *   (none | $CommandReleased) --claim--> $CommandClaimed --> $CommandCompleted | $CommandReleased
 * Event ids. Before events are appended, each id is reserved by writing `$EventIdReserved`
 * {token, streamId} to `eventid-<id>` expecting no stream (or expecting the revision of a
 * `$EventIdReleased`). Only one writer can win; the others read the reservation: same token
 * (the same command, retried or helped) → theirs, another token → DuplicateEventIdError. A write
 * that fails for sure (wrong expected revision, another id duplicated) releases its reservations;
 * a write whose outcome is unknown (connection lost) keeps them, on the safe side.
 * 1. Claim: append `$CommandClaimed` {requestHash, streamId, expectedRevision, observedRevision,
 *    events} expecting the log's current state. Of two racing appends with one command id, one
 *    claim wins; the other finds the claim. (An expectation that the stream already refutes is
 *    refused before claiming, so refused commands leave no trace.)
 * 2. Execute the claim — whoever finds it pending does so: its writer, a racing retry, or a later
 *    findCommand after a crash. Reserve the ids (token = command id), then append the events at
 *    an exact revision: the client's, or for `any`/`stream_exists` the last revision after the
 *    observed one, once a scan from there shows the events are not already in the stream (and
 *    again after each conflict). Every executor of one claim thus writes the same ids at the same
 *    revision, and EventStoreDB's exact-revision idempotency lets them in once: a second
 *    executor is answered with the first one's result. No executor ever appends with `any`.
 * 3. Finish: append `$CommandCompleted` {requestHash, result} (the command log entry) or, when
 *    the append failed for good (the stream moved past the expected revision; a duplicate id),
 *    release the ids and then append `$CommandReleased` {failure} — nothing is logged, and the id
 *    can be claimed again. Both expect the claim's revision: one finisher writes, the others read
 *    what it wrote.
 *
 * So the same command id racing twice never appends twice, and a crash at any step is repaired
 * by the next use of that id. What stays open:
 * (1) A pending command (A: started; B: claimed, not completed) is not recorded yet: subscribers
 *     may already see its events (B), and a crash leaves it pending until that id is used again.
 *     In A, a crash between claim and append binds the id to that body until a retry runs it.
 * (2) A claim can be executed after its writer gave up (a timeout on the client side): the
 *     command did take effect (A: decided on the stream as the retry reads it; B with `any`: its
 *     events land after whatever was appended meanwhile).
 * (3) B's claim holds a copy of the events: its log costs about as much storage as the events.
 * (4) A plain append (no command) that crashes after reserving its ids keeps them reserved:
 *     reusing them is refused as a duplicate although the events were never stored (safe side).
 * (5) A's derived ids are not in the registry. A plain append (or a B command) of an event whose
 *     id is derived from the command id in its own metadata, as a stored event copied back in
 *     has, is checked against that command's stream instead (one read, for such ids only) and
 *     refused when it is there; a copy under another command id, one racing the command's own
 *     append, or a derived id planted before its command ran, is not caught. The product appends
 *     only through handleCommand.
 * (6) Writers that bypass this store (or delete bookkeeping streams) are outside both guarantees.
 * (7) Cost: A, two round trips for a one-event command (three calls), three for more events;
 *     a retry of a stored command about three. B, about seven (log read, stream read, claim, one
 *     reservation per event in parallel, append, read-back, completion); a plain append three.
 */
import { randomUUID } from 'node:crypto';
import { NO_STREAM, type EventStoreDBClient } from '@eventstore/db-client';
import {
  AppendResult,
  CommandAlreadyRecordedError,
  CommandRecord,
  DuplicateEventIdError,
  EventToAppend,
  ExpectedRevision,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { EsdbEventIds, EventIdTypes } from './esdb-event-ids';
import { commandResultIn } from '../handle-command';
import { toEventData, toRecordedEvent } from './esdb-mapping';
import { readBack, sameId } from './esdb-read-back';
import { bookkeepingEvent, exactly, lastEventOf, readStreamEvents, tryAppend } from './esdb-streams';

export const COMMAND_LOG_STREAM_PREFIX = 'commandlog-';

export const BookkeepingTypes = {
  /** A claim made by handleCommand before its decision (esdb-command-claims.ts). */
  commandStarted: '$CommandStarted',
  /** A started command taken over by a retry. */
  commandResumed: '$CommandResumed',
  commandClaimed: '$CommandClaimed',
  commandCompleted: '$CommandCompleted',
  commandReleased: '$CommandReleased',
  ...EventIdTypes,
} as const;

interface Claim {
  commandId: string;
  requestHash: string;
  streamId: string;
  expectedRevision: ExpectedRevision;
  /** For any / stream_exists: the stream's revision before the claim (-1: none); the events go after it. */
  observedRevision: number;
  events: EventToAppend[];
}

type Failure =
  | { kind: 'wrong_expected_revision'; expected: ExpectedRevision; actual: number }
  | { kind: 'duplicate_event_id'; eventId: string };

export type CommandState =
  | { kind: 'none' }
  | { kind: 'released'; revision: number }
  | { kind: 'started'; revision: number; started: StartedCommand }
  | { kind: 'claimed'; revision: number; claim: Claim }
  | { kind: 'completed'; revision: number; record: CommandRecord };

/** What `$CommandStarted` and `$CommandResumed` carry: the request that holds the id, and its stream. */
export interface StartedCommand {
  requestHash: string;
  streamId: string;
}

type Finished = { kind: 'completed'; record: CommandRecord } | { kind: 'released'; failure: Failure };

export class EsdbCommandLog {
  private readonly eventIds: EsdbEventIds;

  constructor(private readonly client: EventStoreDBClient) {
    this.eventIds = new EsdbEventIds(client);
  }

  /** The logged command, finishing it first when a crashed or slow writer left it pending. */
  async find(commandId: string): Promise<CommandRecord | undefined> {
    const state = await this.state(commandId);
    switch (state.kind) {
      case 'none':
      case 'released':
        return undefined;
      case 'completed':
        return state.record;
      case 'started':
        return startedCommandRecord(this.client, commandId, state.started);
      case 'claimed': {
        const finished = await this.finish(state.revision, state.claim);
        return finished.kind === 'completed' ? finished.record : undefined;
      }
    }
  }

  async append(
    streamId: string,
    events: EventToAppend[],
    expectedRevision: ExpectedRevision,
    command: { commandId: string; requestHash: string },
  ): Promise<AppendResult> {
    for (;;) {
      const state = await this.state(command.commandId);
      if (state.kind === 'completed') throw new CommandAlreadyRecordedError(state.record);
      if (state.kind === 'started') {
        // Claimed by handleCommand; this append does not go through it (the two are not mixed in the product).
        const record = await startedCommandRecord(this.client, command.commandId, state.started);
        if (record) throw new CommandAlreadyRecordedError(record);
        throw new Error(`command ${command.commandId} is being executed by handleCommand; retry it there`);
      }
      if (state.kind === 'claimed') {
        // Someone else's claim of this id, pending: finish it on its behalf, then answer as for a retry.
        const finished = await this.finish(state.revision, state.claim);
        if (finished.kind === 'completed') throw new CommandAlreadyRecordedError(finished.record);
        continue;
      }

      const last = await lastEventOf(this.client, streamId);
      const observedRevision = last ? Number(last.revision) : -1;
      // Refuse without claiming what is refused for sure, so a refused command leaves no trace:
      // streams are never deleted here, and no execution of this command id is under way (none
      // is pending, none completed) unless one started since — then that one decides.
      const refused =
        (expectedRevision === 'stream_exists' && observedRevision < 0) ||
        (expectedRevision === 'no_stream' && observedRevision >= 0) ||
        (typeof expectedRevision === 'number' && observedRevision !== expectedRevision);
      if (refused) {
        const now = await this.state(command.commandId);
        if (now.kind === 'claimed' || now.kind === 'completed') continue;
        throw new WrongExpectedRevisionError(streamId, expectedRevision, observedRevision);
      }
      const claim: Claim = { ...command, streamId, expectedRevision, observedRevision, events };
      const claimed = await tryAppend(
        this.client,
        commandLogStream(command.commandId),
        [bookkeepingEvent(BookkeepingTypes.commandClaimed, { ...claim })],
        state.kind === 'none' ? NO_STREAM : BigInt(state.revision),
      );
      if (!claimed.ok) continue;

      const finished = await this.finish(claimed.lastRevision, claim);
      if (finished.kind === 'completed') return finished.record.result;
      throw failureError(streamId, finished.failure);
    }
  }

  /** Ids of a plain append: reserved under a fresh token, released if the append surely failed. */
  async appendPlain(
    streamId: string,
    events: EventToAppend[],
    append: () => Promise<AppendResult>,
  ): Promise<AppendResult> {
    const token = randomUUID();
    await this.eventIds.reserve(events, token, streamId);
    try {
      return await append();
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) await this.eventIds.release(events, token);
      throw error;
    }
  }

  /** Where the command log of this id stands: its last event. */
  async state(commandId: string): Promise<CommandState> {
    const last = await lastEventOf(this.client, commandLogStream(commandId));
    if (!last) return { kind: 'none' };
    const revision = Number(last.revision);
    const data = last.data as Record<string, unknown>;
    switch (last.type) {
      case BookkeepingTypes.commandStarted:
      case BookkeepingTypes.commandResumed:
        return { kind: 'started', revision, started: data as unknown as StartedCommand };
      case BookkeepingTypes.commandClaimed:
        return { kind: 'claimed', revision, claim: data as unknown as Claim };
      case BookkeepingTypes.commandCompleted:
        return { kind: 'completed', revision, record: data as unknown as CommandRecord };
      case BookkeepingTypes.commandReleased:
        return { kind: 'released', revision };
      default:
        throw new Error(`unexpected event ${last.type} in ${commandLogStream(commandId)}`);
    }
  }

  /** Executes a claim (idempotently) and records how it ended; whoever loses the race reads the winner. */
  private async finish(claimRevision: number, claim: Claim): Promise<Finished> {
    const outcome = await this.execute(claim);
    let finished: Finished;
    let event;
    if ('result' in outcome) {
      const record: CommandRecord = {
        commandId: claim.commandId,
        requestHash: claim.requestHash,
        result: outcome.result,
      };
      finished = { kind: 'completed', record };
      event = bookkeepingEvent(BookkeepingTypes.commandCompleted, { ...record });
    } else {
      // Ids first: once the claim is released, a retry may reserve them again.
      await this.eventIds.release(claim.events, claim.commandId);
      finished = { kind: 'released', failure: outcome.failure };
      event = bookkeepingEvent(BookkeepingTypes.commandReleased, {
        commandId: claim.commandId,
        failure: outcome.failure,
      });
    }
    const written = await tryAppend(this.client, commandLogStream(claim.commandId), [event], BigInt(claimRevision));
    if (written.ok) return finished;

    const last = await readStreamEvents(this.client, commandLogStream(claim.commandId), {
      fromRevision: claimRevision + 1,
      maxCount: 1,
    });
    const other = last[0];
    if (other?.type === BookkeepingTypes.commandCompleted && finished.kind === 'completed') {
      return { kind: 'completed', record: other.data as unknown as CommandRecord };
    }
    if (other?.type === BookkeepingTypes.commandReleased && finished.kind === 'released') {
      return { kind: 'released', failure: (other.data as { failure: Failure }).failure };
    }
    throw new Error(
      `command ${claim.commandId}: finished as ${finished.kind}, but the log says ${other?.type ?? 'nothing'}`,
    );
  }

  private async execute(claim: Claim): Promise<{ result: AppendResult } | { failure: Failure }> {
    try {
      await this.eventIds.reserve(claim.events, claim.commandId, claim.streamId);
    } catch (error) {
      if (error instanceof DuplicateEventIdError)
        return { failure: { kind: 'duplicate_event_id', eventId: error.eventId } };
      throw error;
    }
    const { streamId, events, expectedRevision } = claim;
    if (expectedRevision === 'no_stream' || typeof expectedRevision === 'number') {
      const revision = expectedRevision === 'no_stream' ? -1 : expectedRevision;
      const appended = await tryAppend(this.client, streamId, events.map(toEventData), exactly(revision));
      if (!appended.ok)
        return { failure: { kind: 'wrong_expected_revision', expected: expectedRevision, actual: appended.actual } };
      return { result: await readBack(this.client, streamId, events, revision + 1) };
    }

    // any / stream_exists: find the events after the observed revision, or append them at the exact
    // end of what was scanned; a conflict means someone wrote meanwhile (perhaps another executor
    // of this claim): scan the new part and try again.
    let from = claim.observedRevision + 1;
    for (let attempt = 1; ; attempt += 1) {
      const tail = await readStreamEvents(this.client, streamId, { fromRevision: from });
      const found = tail.find((event) => sameId(event.id, events[0].eventId));
      if (found) return { result: await readBack(this.client, streamId, events, Number(found.revision)) };
      const last = tail.length > 0 ? Number(tail[tail.length - 1].revision) : from - 1;
      const appended = await tryAppend(this.client, streamId, events.map(toEventData), exactly(last));
      if (appended.ok) return { result: await readBack(this.client, streamId, events, last + 1) };
      from = last + 1;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)));
    }
  }
}

/**
 * A started command is recorded once its events are in its stream (their ids are derived from
 * the command id): its record is then what its append answered. A scan of the whole stream, on
 * the rare paths only (a retry, findCommand).
 */
export async function startedCommandRecord(
  client: EventStoreDBClient,
  commandId: string,
  started: StartedCommand,
): Promise<CommandRecord | undefined> {
  const events = (await readStreamEvents(client, started.streamId)).map(toRecordedEvent);
  const result = commandResultIn(events, commandId);
  return result && { commandId, requestHash: started.requestHash, result };
}

export function commandLogStream(commandId: string): string {
  return `${COMMAND_LOG_STREAM_PREFIX}${commandId}`;
}

function failureError(streamId: string, failure: Failure): Error {
  return failure.kind === 'duplicate_event_id'
    ? new DuplicateEventIdError(failure.eventId)
    : new WrongExpectedRevisionError(streamId, failure.expected, failure.actual);
}
