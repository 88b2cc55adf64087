import { DomainError } from '@agreements/domain';
import { CommandIdReusedError, isEventStoreUnavailable, WrongExpectedRevisionError } from '@agreements/event-store';
import { Refusal } from './refusal';

export interface RefusalContext {
  /** The expected revision came in an If-Match header: a stale one answers 412, not 409. */
  expectedFromIfMatch?: boolean;
}

/**
 * What a failed command means for whoever sent it: the refusal (code and status) for every error
 * the command path raises on purpose, undefined for anything else (a bug: the caller answers 500).
 * The HTTP exception filter and the CLI's import report both read it, so they cannot disagree.
 */
export function refusalOf(err: unknown, context: RefusalContext = {}): Refusal | undefined {
  if (err instanceof Refusal) return err;
  if (err instanceof DomainError) return new Refusal(err.httpStatus, err.code, err.message, err.details);
  if (err instanceof WrongExpectedRevisionError) {
    const expected = err.expected === 'no_stream' ? -1 : err.expected;
    return new Refusal(
      context.expectedFromIfMatch ? 412 : 409,
      'REVISION_CONFLICT',
      `The stream ${err.streamId} is at revision ${err.actual}, not ${String(expected)}: read it again and resend with the current revision`,
      { expected, actual: err.actual },
    );
  }
  if (err instanceof CommandIdReusedError) {
    return new Refusal(409, 'COMMAND_ID_REUSED', `commandId ${err.commandId} was already used for a different command: choose a new commandId`);
  }
  if (isEventStoreUnavailable(err)) {
    return new Refusal(
      503,
      'EVENT_STORE_UNAVAILABLE',
      'The event store cannot be reached; nothing was stored. Retry shortly with the same commandId',
      undefined,
      { 'retry-after': '2' },
    );
  }
  return undefined;
}
