import { type BusinessTime, tryParseBusinessTime } from './business-time';
import { DomainError, validationFailed } from './domain-error';
import type { Actor } from './identifiers';

/** The decider relies on business times it reads; a bad one is a 400, as the API's schema check would answer. */
export function readBusinessTime(text: unknown, field: string): BusinessTime {
  if (typeof text !== 'string') throw validationFailed([{ field, message: 'is required (a business time)' }]);
  const parsed = tryParseBusinessTime(text);
  if (!parsed.ok) throw validationFailed([{ field, message: parsed.reason }]);
  return parsed.value;
}

export function readStoredTime(text: string | null | undefined): BusinessTime | null {
  if (text === null || text === undefined) return null;
  const parsed = tryParseBusinessTime(text);
  return parsed.ok ? parsed.value : null;
}

/** The same actor named twice in one command (in one list or across the lists given). */
export function refuseDuplicateActors(...lists: Actor[][]): void {
  const seen = new Set<string>();
  for (const actor of lists.flat()) {
    if (seen.has(actor.id)) {
      throw new DomainError(
        'DUPLICATE_ACTOR',
        `${actor.id} is named more than once in the command: name each actor once`,
        {
          actorId: actor.id,
        },
      );
    }
    seen.add(actor.id);
  }
}
