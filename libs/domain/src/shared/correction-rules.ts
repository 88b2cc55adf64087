import type { TSchema } from '@sinclair/typebox';
import { tryParseBusinessTime } from './business-time';
import { EVENT_RETRACTED, isCorrectionEvent, mergeCorrectedData } from './corrections';
import type { DomainEvent, EventEnvelope, LoadedStream } from './decider';
import { DomainError, type FieldError, validationFailed } from './domain-error';
import { schemaProblems } from './schema-check';
import type { RecordCorrectionData, RetractEventData } from './schemas';

export type { RecordCorrectionData, RetractEventData };

/** The events that put the record right, on both streams. */
export type CorrectionEvent =
  | DomainEvent<'EventCorrected', RecordCorrectionData>
  | DomainEvent<'EventRetracted', RetractEventData>;

export type CorrectionCommand =
  | { type: 'RecordCorrection'; data: RecordCorrectionData; occurredAt: string }
  | { type: 'RetractEvent'; data: RetractEventData; occurredAt: string };

export interface CorrectionRules {
  eventDataSchemas: Record<string, TSchema>;
  identityFields: Partial<Record<string, string[]>>;
  /** Rules across fields that a schema cannot say (e.g. exactly one of duration and until). */
  crossFieldProblems?: (type: string, data: Record<string, unknown>) => FieldError[];
  /** The target in its type's current schema version: a correction is judged against the current shape. */
  upcast?: <E extends EventEnvelope>(event: E) => E;
}

/** Actors compare by id: a correction may fix a name but not swap who acted. */
function identityOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(identityOf);
  if (value !== null && typeof value === 'object' && 'id' in value) return (value as { id: unknown }).id;
  return value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * RecordCorrection / RetractEvent, the same on both streams: the target must be an event of this
 * stream, not itself a correction, not retracted; a correction must change something, keep the
 * fields rules key on, and leave the event valid for its schema.
 */
export function decideCorrection(
  command: CorrectionCommand,
  stream: Pick<LoadedStream<unknown>, 'recorded' | 'effective'>,
  rules: CorrectionRules,
): CorrectionEvent[] {
  const targetId = command.data.targetEventId.toLowerCase();
  const target = stream.recorded.find((event) => event.eventId.toLowerCase() === targetId);
  if (!target) {
    throw new DomainError(
      'EVENT_NOT_FOUND',
      `Event ${command.data.targetEventId} is not an event of this stream: only its own events can be corrected or retracted`,
      {
        targetEventId: command.data.targetEventId,
      },
    );
  }
  if (isCorrectionEvent(target.type)) {
    throw new DomainError(
      'TARGET_IS_CORRECTION',
      `Event ${target.eventId} is a ${target.type}: corrections and retractions cannot themselves be corrected or retracted`,
      { targetEventId: target.eventId, targetType: target.type },
    );
  }
  const retracted = stream.recorded.some(
    (event) => event.type === EVENT_RETRACTED && String(event.data.targetEventId).toLowerCase() === targetId,
  );
  if (retracted) {
    throw new DomainError(
      'EVENT_ALREADY_RETRACTED',
      `Event ${target.eventId} was retracted: it can no longer be corrected or retracted`,
      {
        targetEventId: target.eventId,
      },
    );
  }
  if (command.type === 'RetractEvent') {
    return [{ type: 'EventRetracted', data: { ...command.data, targetEventId: target.eventId } }];
  }

  const correction = command.data;
  if (correction.occurredAt !== undefined) {
    const parsed = tryParseBusinessTime(correction.occurredAt);
    if (!parsed.ok) throw validationFailed([{ field: 'data.occurredAt', message: parsed.reason }]);
  }
  // The target as currently believed (earlier corrections applied): this correction goes on top of it.
  const believed = stream.effective.find((event) => event.eventId === target.eventId) ?? target;
  const current = rules.upcast ? rules.upcast(believed) : believed;
  const currentData = current.data ?? {};
  const merged = correction.data ? mergeCorrectedData(currentData, correction.data) : currentData;
  const changesTime = correction.occurredAt !== undefined && correction.occurredAt !== current.occurredAt;
  if (!changesTime && deepEqual(merged, currentData)) {
    throw new DomainError(
      'CORRECTION_CHANGES_NOTHING',
      `The correction leaves event ${target.eventId} as it is: give a different occurredAt or different data`,
      { targetEventId: target.eventId },
    );
  }
  for (const field of rules.identityFields[target.type] ?? []) {
    if (!deepEqual(identityOf(merged[field]), identityOf(currentData[field]))) {
      throw new DomainError(
        'CORRECTION_CHANGES_IDENTITY',
        `A correction cannot change ${field} of a ${target.type}: other rules rely on it; retract the event and record it again`,
        { targetEventId: target.eventId, field },
      );
    }
  }
  const schema = rules.eventDataSchemas[target.type];
  const problems = [
    ...(schema ? schemaProblems(schema, merged, 'data.data') : []),
    ...(rules.crossFieldProblems?.(target.type, merged) ?? []),
  ];
  if (problems.length > 0) {
    throw new DomainError(
      'CORRECTION_INVALID',
      `The corrected ${target.type} would not be valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      { targetEventId: target.eventId, errors: problems },
    );
  }
  return [{ type: 'EventCorrected', data: { ...correction, targetEventId: target.eventId } }];
}
