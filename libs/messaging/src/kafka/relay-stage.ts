import { describeError } from './kafka-client';

/** What a relay failure is blamed on: it picks the log line, and whether the broker counts as away. */
export type RelayErrorKind = 'config' | 'broker' | 'event-store' | 'checkpoint';

/** A failure tagged with the stage it happened in (the first tag wins when stages nest). */
export class StageError extends Error {
  constructor(
    readonly kind: RelayErrorKind,
    readonly cause: unknown,
  ) {
    super(describeError(cause));
  }
}

/** Runs one step of the relay, tagging what it throws with `kind`. */
export async function stage<T>(kind: RelayErrorKind, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof StageError ? error : new StageError(kind, error);
  }
}

/** The stage and message of anything the relay's loop caught; untagged failures are the broker's. */
export function classifyFailure(error: unknown): { kind: RelayErrorKind; message: string } {
  if (error instanceof StageError) return { kind: error.kind, message: describeError(error.cause) };
  return { kind: 'broker', message: describeError(error) };
}
