import { createHash } from 'node:crypto';
import { jsonInCanonicalOrder } from './canonical-json';
import {
  AppendedEvent,
  AppendResult,
  CommandAlreadyRecordedError,
  CommandRecord,
  EventSource,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  RecordedEvent,
  WrongExpectedRevisionError,
} from './event-store.port';

/**
 * What a decider sees of a stored event. The domain lib declares a structurally identical type;
 * the two are kept apart so the domain imports nothing from here.
 */
export interface EventEnvelope {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  /** Business time as the operator gave it (metadata.occurredAt). */
  occurredAt: string;
  /** When the store committed it. */
  recordedAt: string;
  revision: number;
  streamId: string;
  /** The schema version its data was stored in: the decider's loader reads older ones in the current shape (upcasting). */
  schemaVersion: number;
}

export function toEnvelope(recorded: RecordedEvent): EventEnvelope {
  return {
    eventId: recorded.eventId,
    type: recorded.type,
    data: recorded.data,
    occurredAt: recorded.metadata.occurredAt,
    recordedAt: recorded.recordedAt,
    revision: recorded.revision,
    streamId: recorded.streamId,
    // Every event this product stores has one; a foreign event without one is taken as version 1.
    schemaVersion: recorded.metadata.schemaVersion ?? 1,
  };
}

/**
 * What the command path needs of a decider. The domain's deciders fit it (structurally: this lib
 * imports nothing of the domain): `load` is their stream loader, the same fold the read models
 * and the relay use, which resolves corrections once and keeps no history in the state.
 * Method syntax (not function-typed properties) on purpose: TypeScript checks method parameters
 * bivariantly, so a decider whose methods take its own narrower types still fits.
 */
export interface CommandDecider<C, L> {
  /** The stream loaded from its recorded events (in stream order), or `loaded` advanced by the events recorded right after it. */
  load(recorded: readonly EventEnvelope[], loaded?: L): L;
  decide(command: C, stream: L): Array<{ type: string; data: Record<string, unknown> }>;
}

export interface CommandContext {
  commandId: string;
  /** Hash of the request body: a retry has the same one, a different command reusing the id does not. */
  requestHash: string;
  actor: string;
  correlationId: string;
  causationId: string;
  occurredAt: string;
  sources: EventSource[];
  schemaVersionOf(type: string): number;
}

export interface HandleCommandInput<C, S> {
  streamId: string;
  decider: CommandDecider<C, S>;
  command: C;
  /** The revision the client last saw; -1 = the stream must not exist. Omitted: no check by the client. */
  expectedRevision?: number;
  context: CommandContext;
  /**
   * Loaded states of recently used streams. Only the events after the cached revision are read
   * and folded onto it; the store stays the source of truth (what another process appended is
   * read too, and the append still expects the exact revision decided on).
   */
  cache?: StreamStateCache<S>;
}

/**
 * A bounded least-recently-used map of stream id to its loaded state at a revision. States are
 * immutable (loading returns new ones), so a cached state can be shared by concurrent commands.
 */
export class StreamStateCache<S> {
  private readonly entries = new Map<string, CachedStream<S>>();

  constructor(readonly maxStreams = 5000) {}

  get(streamId: string): CachedStream<S> | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, revision: number, position: string, state: S): void {
    const existing = this.entries.get(streamId);
    if (existing && existing.revision >= revision) {
      // The same revision read again: a read to the stream's end found nothing after it.
      if (existing.revision === revision) existing.current = true;
      return;
    }
    this.entries.delete(streamId);
    this.entries.set(streamId, { revision, position, state, current: true });
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** This process appended after the cached revision and could not fold it: the next command reads on from it. */
  markBehind(streamId: string, revision: number): void {
    const existing = this.entries.get(streamId);
    if (existing && existing.revision <= revision) existing.current = false;
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface CachedStream<S> {
  revision: number;
  position: string;
  state: S;
  /**
   * As far as this process knows, nothing was appended after it: it was read to the stream's end,
   * or advanced by this process's own append. Another process may still have appended since; the
   * append's exact expected revision finds that out.
   */
  current: boolean;
}

export interface HandleCommandOutcome {
  result: AppendResult;
  /** True when the command had already been stored and this is its first result again. */
  replayed: boolean;
}

/** The command id was already used for a request with a different body. */
export class CommandIdReusedError extends Error {
  constructor(
    readonly commandId: string,
    /** What was stored for it; undefined while the first request with the id has no result yet (a claim, see CommandClaims). */
    readonly record?: CommandRecord,
  ) {
    super(`command id ${commandId} was already used for a different request`);
    this.name = 'CommandIdReusedError';
  }
}

const MAX_ATTEMPTS = 20;

/**
 * What a store offers when it cannot log a command in the same atomic write as its events, and
 * would otherwise spend round trips making that safe (EventStoreDB, esdb-command-claims.ts): the
 * command id is claimed for the request (its body's hash and its stream) before the decision, in
 * parallel with the stream read, and the decided events, whose ids are derived from the command
 * id (eventIdFor), are appended in one write at the exact revision decided on. handleCommand uses
 * it when the store has it (`commandClaims`), and otherwise the port's findCommand + append.
 */
export interface CommandClaims {
  /** The id for this request, or what was recorded for it (a retry; or another body: CommandIdReusedError). */
  claim(command: { commandId: string; requestHash: string; streamId: string }): Promise<ClaimOutcome>;
  /**
   * Appends a claimed command's events (ids eventIdFor(commandId, i)) at exactly `revision`
   * (-1: the stream must not exist); WrongExpectedRevisionError when the stream is elsewhere.
   */
  appendClaimed(streamId: string, events: EventToAppend[], revision: number, claim: CommandClaim): Promise<AppendResult>;
  /** After a refusal or a decision of no events: frees the id if no one else may be executing it (best effort). */
  release(claim: CommandClaim): Promise<void>;
}

export type ClaimOutcome = { kind: 'claimed'; claim: CommandClaim } | { kind: 'recorded'; record: CommandRecord };

export interface CommandClaim {
  commandId: string;
  requestHash: string;
  streamId: string;
  /**
   * False when this request took over a claim that another one made and did not finish (a retry
   * after a crash, or racing the first try): that one may have appended the events anywhere in the
   * stream, or may still do so.
   */
  fresh: boolean;
  /** The store's own bookkeeping (for EventStoreDB: the revision of the claim in the command log). */
  revision: number;
}

function commandClaimsOf(store: EventStore): CommandClaims | undefined {
  return (store as EventStore & { commandClaims?: CommandClaims }).commandClaims;
}

/**
 * Read, load, decide, append: the one path every command takes.
 *
 * Idempotent per commandId (the command log is written in the same atomic append as the events;
 * on a store with command claims, the id is claimed before the decision: handleClaimedCommand),
 * and optimistic: without a client expectedRevision, the append still expects exactly the
 * revision that was decided on, and on a conflict the command is decided again on the new state.
 * A decision is thus never made on stale state, and concurrent writers of one stream all land,
 * one after the other. With a client expectedRevision, a conflict is the client's answer.
 *
 * Domain errors thrown by decide() propagate untouched. A decision with no events appends nothing
 * and answers with the stream's current revision and position (nothing is logged for the
 * command, so a retry decides again, which for a no-op is the same answer).
 */
export async function handleCommand<C, S>(store: EventStore, input: HandleCommandInput<C, S>): Promise<HandleCommandOutcome> {
  const { streamId, decider, command, context } = input;
  const clientExpected = input.expectedRevision;
  if (clientExpected !== undefined && (!Number.isSafeInteger(clientExpected) || clientExpected < -1)) {
    throw new Error(`invalid expectedRevision ${clientExpected}`);
  }

  const claims = commandClaimsOf(store);
  if (claims) return handleClaimedCommand(store, claims, input);

  const onCachedState = await decideOnCachedState(store, input);
  if (onCachedState) return onCachedState;

  const known = await store.findCommand(context.commandId);
  if (known) return replayOf(known, context);

  for (let attempt = 1; ; attempt += 1) {
    const cached = input.cache?.get(streamId);
    const newer = await store.readStream(streamId, cached ? { fromRevision: cached.revision + 1 } : undefined);
    const last = newer[newer.length - 1];
    const current = last ? last.revision : cached ? cached.revision : -1;
    const position = last ? last.position : cached ? cached.position : '0';
    if (clientExpected !== undefined && clientExpected !== current) {
      throw new WrongExpectedRevisionError(streamId, clientExpected, current);
    }

    const stream = decider.load(newer.map(toEnvelope), cached?.state);
    if (current >= 0) input.cache?.set(streamId, current, position, stream);
    const decided = decider.decide(command, stream);
    if (decided.length === 0) {
      return { result: { streamId, revision: current, position, events: [] }, replayed: false };
    }

    const events = toEventsToAppend(decided, context);
    // Always the exact revision the decision was based on, even when the client gave none.
    const expectedRevision: ExpectedRevision = current === -1 ? 'no_stream' : current;
    try {
      const result = await store.append(streamId, events, {
        expectedRevision,
        command: { commandId: context.commandId, requestHash: context.requestHash },
      });
      advanceCache(input, stream, events, result);
      return { result, replayed: false };
    } catch (error) {
      // A concurrent retry of this very command got in first: answer as for any retry.
      if (error instanceof CommandAlreadyRecordedError) return replayOf(error.record, context);
      const retryable =
        error instanceof WrongExpectedRevisionError && clientExpected === undefined && attempt < MAX_ATTEMPTS;
      if (!retryable) {
        // Report the client's own expectation, not the internal one, so the conflict reads
        // "you expected 3, it is 4".
        if (error instanceof WrongExpectedRevisionError && clientExpected !== undefined) {
          throw new WrongExpectedRevisionError(streamId, clientExpected, error.actual);
        }
        throw error;
      }
      await backoff(attempt);
    }
  }
}

/**
 * The common case, a stream this process appended to last: its cached state is current unless
 * another process appended since, and the append checks exactly that (it expects the cached
 * revision). Nothing is read: a command already recorded is refused by the command log's key in
 * the append itself, and answered as the retry it is. Anything else (a domain refusal or a
 * decision of no events, which may come from a stale state; a revision conflict; a client
 * expectation other than the cached revision) answers undefined, and the command takes the
 * careful path, which reads the log and decides again on what it holds.
 */
async function decideOnCachedState<C, S>(store: EventStore, input: HandleCommandInput<C, S>): Promise<HandleCommandOutcome | undefined> {
  const { streamId, decider, command, context } = input;
  const cached = input.cache?.get(streamId);
  if (!cached?.current) return undefined;
  if (input.expectedRevision !== undefined && input.expectedRevision !== cached.revision) return undefined;
  let decided: Array<{ type: string; data: Record<string, unknown> }>;
  try {
    decided = decider.decide(command, cached.state);
  } catch {
    return undefined;
  }
  if (decided.length === 0) return undefined;
  const events = toEventsToAppend(decided, context);
  try {
    const result = await store.append(streamId, events, {
      expectedRevision: cached.revision,
      command: { commandId: context.commandId, requestHash: context.requestHash },
    });
    advanceCache(input, cached.state, events, result);
    return { result, replayed: false };
  } catch (error) {
    if (error instanceof CommandAlreadyRecordedError) return replayOf(error.record, context);
    if (error instanceof WrongExpectedRevisionError) return undefined;
    throw error;
  }
}

/**
 * Folds a successful append onto the state it was decided on, as a read of the stream would give
 * the events back (data as stored: canonical JSON, parsed), so the next command on the stream
 * needs no read. Without the commit time (recordedAt) the fold cannot be exact: the next command
 * reads on from the cached revision instead.
 */
function advanceCache<C, S>(input: HandleCommandInput<C, S>, decidedOn: S, events: EventToAppend[], result: AppendResult): void {
  const { cache, streamId, decider } = input;
  if (!cache) return;
  const recordedAt = result.recordedAt;
  if (recordedAt === undefined || result.events.length !== events.length) {
    cache.markBehind(streamId, result.revision);
    return;
  }
  const appended: EventEnvelope[] = result.events.map((event, i) => {
    const metadata = events[i].metadata as { occurredAt: string; schemaVersion?: number };
    return {
      eventId: event.eventId,
      type: event.type,
      data: JSON.parse(jsonInCanonicalOrder(events[i].data ?? {})) as Record<string, unknown>,
      occurredAt: metadata.occurredAt,
      recordedAt,
      revision: event.revision,
      streamId,
      schemaVersion: metadata.schemaVersion ?? 1,
    };
  });
  cache.set(streamId, result.revision, result.position, decider.load(appended, decidedOn));
}

/**
 * handleCommand on a store with command claims: two round trips in the common case (the claim
 * and the stream read together, then the append). Every executor of a claim (its first request,
 * or a retry that took it over) appends only at an exact revision R after having seen that no
 * event of the command is at R or before, so the command's events land once: two executors at the
 * same R write the same ids and the store takes the second as a repeat (EventStoreDB's idempotent
 * append), and an executor whose append fails reads on and finds the other's events.
 */
async function handleClaimedCommand<C, S>(
  store: EventStore,
  claims: CommandClaims,
  input: HandleCommandInput<C, S>,
): Promise<HandleCommandOutcome> {
  const { streamId, decider, command, context } = input;
  const clientExpected = input.expectedRevision;
  // Taken before the claim is sent: the cached state then holds nothing that another executor of
  // this command can have appended (there is none before the claim exists).
  const cached = input.cache?.get(streamId);
  const [claimed, firstRead] = await Promise.all([
    claims.claim({ commandId: context.commandId, requestHash: context.requestHash, streamId }),
    store.readStream(streamId, cached ? { fromRevision: cached.revision + 1 } : undefined),
  ]);
  if (claimed.kind === 'recorded') return replayOf(claimed.record, context);
  const claim = claimed.claim;
  // Taking over another request's claim: its events may be anywhere in the stream, so read it all.
  let base = claim.fresh ? cached : undefined;
  let newer = claim.fresh ? firstRead : await store.readStream(streamId);
  const refuse = async (error: unknown): Promise<never> => {
    await claims.release(claim);
    throw error;
  };

  for (let attempt = 1; ; attempt += 1) {
    const done = commandResultIn(newer, context.commandId);
    if (done) return { result: done, replayed: true };
    const last = newer[newer.length - 1];
    const current = last ? last.revision : base ? base.revision : -1;
    const position = last ? last.position : base ? base.position : '0';
    if (clientExpected !== undefined && clientExpected !== current) {
      return refuse(new WrongExpectedRevisionError(streamId, clientExpected, current));
    }

    let stream: S;
    let decided: Array<{ type: string; data: Record<string, unknown> }>;
    try {
      stream = decider.load(newer.map(toEnvelope), base?.state);
      decided = decider.decide(command, stream);
    } catch (error) {
      return refuse(error);
    }
    if (current >= 0) input.cache?.set(streamId, current, position, stream);
    if (decided.length === 0) {
      await claims.release(claim);
      return { result: { streamId, revision: current, position, events: [] }, replayed: false };
    }

    try {
      const result = await claims.appendClaimed(streamId, toEventsToAppend(decided, context), current, claim);
      return { result, replayed: false };
    } catch (error) {
      // Any other error leaves the outcome unknown: the claim stays, and a retry finds out.
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (clientExpected !== undefined) {
        return refuse(new WrongExpectedRevisionError(streamId, clientExpected, error.actual));
      }
      if (attempt >= MAX_ATTEMPTS) return refuse(error);
      await backoff(attempt);
      // Read on from what this decision saw (not from the cache): every event after it is checked.
      base = current >= 0 ? { revision: current, position, state: stream, current: true } : undefined;
      newer = await store.readStream(streamId, { fromRevision: current + 1 });
    }
  }
}

/**
 * The result of a command whose events are among these (consecutive, from the event with id
 * eventIdFor(commandId, 0)), as its append answered it; undefined when they are not there.
 */
export function commandResultIn(events: readonly RecordedEvent[], commandId: string): AppendResult | undefined {
  const first = eventIdFor(commandId, 0);
  const start = events.findIndex((event) => event.eventId.toLowerCase() === first);
  if (start < 0) return undefined;
  const appended: AppendedEvent[] = [];
  for (let index = start; index < events.length; index += 1) {
    const event = events[index];
    if (event.eventId.toLowerCase() !== eventIdFor(commandId, index - start)) break;
    appended.push({ eventId: event.eventId, type: event.type, revision: event.revision, position: event.position });
  }
  const last = appended[appended.length - 1];
  return { streamId: events[start].streamId, revision: last.revision, position: last.position, events: appended };
}

function toEventsToAppend(
  decided: Array<{ type: string; data: Record<string, unknown> }>,
  context: CommandContext,
): EventToAppend[] {
  return decided.map((event, index) => ({
    eventId: eventIdFor(context.commandId, index),
    type: event.type,
    data: event.data,
    // Members in sorted order: the store writes metadata in canonical order (for the ledger), and
    // an object built in that order is written as it is, without a sorted copy.
    metadata: {
      actor: context.actor,
      causationId: context.causationId,
      commandId: context.commandId,
      correlationId: context.correlationId,
      occurredAt: context.occurredAt,
      schemaVersion: context.schemaVersionOf(event.type),
      sources: context.sources,
    },
  }));
}

function replayOf(record: CommandRecord, context: CommandContext): HandleCommandOutcome {
  if (record.requestHash !== context.requestHash) throw new CommandIdReusedError(context.commandId, record);
  return { result: record.result, replayed: true };
}

/**
 * Writers that lost a race retry at once in lockstep and would collide again (the store groups
 * appends of the same moment into one batch, where only the first can win). A random delay that
 * widens with each attempt spreads them over separate batches.
 */
function backoff(attempt: number): Promise<void> {
  const ceilingMs = Math.min(100, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceilingMs));
}

// A fixed namespace for this product's event ids, so that ids derived from a command id never
// collide with name-based UUIDs that other software derives from the same text.
const EVENT_ID_NAMESPACE = Buffer.from('5b0f6a3e1c7d4e29a8f4d2b6c9e1a7f3', 'hex');

/**
 * The id of the index-th event of a command: a name-based UUID (version 5, SHA-1) of the command
 * id and the index. A retried command produces the same ids, so its events are recognisable
 * (and the store refuses to hold them twice).
 */
export function eventIdFor(commandId: string, index: number): string {
  const bytes = createHash('sha1').update(EVENT_ID_NAMESPACE).update(`${commandId}/${index}`, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
