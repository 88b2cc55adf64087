// Test support (excluded from the build): given events, when a command, then events or an error code.
import type { Decider, DomainEvent, EventEnvelope, StreamState } from '../shared/decider';
import { advanceStream, loadStream } from '../shared/load-stream';
import { DomainError } from '../shared/domain-error';

/** A past event, as a test writes it; ids, revisions and recorded times are filled in. */
export interface Fact {
  type: string;
  data: Record<string, unknown>;
  occurredAt?: string;
  eventId?: string;
  recordedAt?: string;
}

/** Deterministic UUIDs: event n of a test. */
export function eventIdOf(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

const RECORDED_BASE = Date.UTC(2017, 6, 6, 12, 0, 0);

export function recordedAtOf(n: number): string {
  return new Date(RECORDED_BASE + n * 60_000).toISOString();
}

export function toEnvelopes(facts: readonly Fact[], streamId?: string): EventEnvelope[] {
  return facts.map((fact, revision) => ({
    eventId: fact.eventId ?? eventIdOf(revision + 1),
    type: fact.type,
    data: fact.data,
    occurredAt: fact.occurredAt ?? '2017-05-04',
    recordedAt: fact.recordedAt ?? recordedAtOf(revision),
    revision,
    ...(streamId ? { streamId } : {}),
  }));
}

export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

export function deciderSpec<C, E extends DomainEvent, S extends StreamState>(decider: Decider<C, E, S>, streamId: string) {
  return {
    given(...facts: Fact[]) {
      const history = toEnvelopes(facts, streamId);
      const stream = loadStream(decider, history);
      return {
        history,
        stream,
        state: stream.state,
        when(command: C) {
          const run = () => decider.decide(command, stream);
          return {
            thenEvents(expected: DomainEvent[]): DomainEvent[] {
              const events = run();
              expect(events).toEqual(expected);
              return events;
            },
            thenError(code: string, httpStatus = 422): DomainError {
              const error = thrown(run);
              expect(error).toBeInstanceOf(DomainError);
              expect((error as DomainError).code).toBe(code);
              expect((error as DomainError).httpStatus).toBe(httpStatus);
              return error as DomainError;
            },
          };
        },
      };
    },
  };
}

/**
 * Runs commands through decide and the loader as the application would, recording each event
 * with the command's occurredAt, a deterministic id and increasing recorded times. Starts from
 * the stream `history` (the state given with it is the state of that history).
 */
export function record<C extends { occurredAt: string }, E extends DomainEvent, S extends StreamState>(
  decider: Decider<C, E, S>,
  streamId: string,
  commands: readonly C[],
  start: { state?: S; history?: EventEnvelope[]; counter?: { next: number } } = {},
): { state: S; history: EventEnvelope[] } {
  let stream = loadStream(decider, start.history ?? []);
  const counter = start.counter ?? { next: 1000 };
  for (const command of commands) {
    for (const event of decider.decide(command, stream)) {
      const n = counter.next++;
      const envelope: EventEnvelope = {
        eventId: eventIdOf(n),
        type: event.type,
        data: event.data,
        occurredAt: command.occurredAt,
        recordedAt: recordedAtOf(n),
        revision: stream.recorded.length,
        streamId,
      };
      stream = advanceStream(decider, stream, [envelope]);
    }
  }
  return { state: stream.state, history: [...stream.recorded] };
}
