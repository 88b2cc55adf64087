import { tryParseBusinessTime } from './business-time';
import type { EventEnvelope } from './decider';

export const EVENT_CORRECTED = 'EventCorrected';
export const EVENT_RETRACTED = 'EventRetracted';
export const CORRECTION_EVENT_TYPES: readonly string[] = [EVENT_CORRECTED, EVENT_RETRACTED];

export function isCorrectionEvent(type: string): boolean {
  return type === EVENT_CORRECTED || type === EVENT_RETRACTED;
}

/** An instant (ISO) or any business time, taken as the end of the period it names, in epoch ms. */
export function instantMillis(text: string): number {
  const parsed = tryParseBusinessTime(text);
  const millis = parsed.ok ? Date.parse(parsed.value.latest) : Date.parse(text);
  if (Number.isNaN(millis)) throw new RangeError(`${JSON.stringify(text)} is not an instant`);
  return millis;
}

/**
 * Shallow JSON merge patch (RFC 7386 at the top level): each key of the patch replaces the target's,
 * and null removes an optional field.
 */
export function mergeCorrectedData(
  data: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...data };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * The stream as it is believed to be: what was recorded by `knownAt` (when given; an instant, or a
 * business time meaning the end of its period), with every retracted event left out and every
 * corrected event carrying its corrected business time and data, in its original place. The
 * EventCorrected / EventRetracted events themselves are consumed. Input in stream order.
 * Extra fields of the input events are kept (a stored event's metadata.occurredAt is not updated:
 * read `occurredAt`).
 */
export function applyCorrections<E extends EventEnvelope>(events: readonly E[], knownAt?: string): E[] {
  const known = knownAt === undefined ? events : recordedBy(events, knownAt);
  const retracted = new Set<string>();
  const corrections = new Map<string, E[]>();
  for (const event of known) {
    if (event.type === EVENT_RETRACTED) retracted.add(targetOf(event));
    else if (event.type === EVENT_CORRECTED) {
      const list = corrections.get(targetOf(event)) ?? [];
      list.push(event);
      corrections.set(targetOf(event), list);
    }
  }
  const effective: E[] = [];
  for (const event of known) {
    if (isCorrectionEvent(event.type) || retracted.has(event.eventId)) continue;
    const applied = corrections.get(event.eventId);
    if (!applied) {
      effective.push(event);
      continue;
    }
    let occurredAt = event.occurredAt;
    let data = event.data;
    for (const correction of applied) {
      const { occurredAt: correctedTime, data: patch } = correction.data;
      if (typeof correctedTime === 'string') occurredAt = correctedTime;
      if (isPatch(patch)) data = mergeCorrectedData(data, patch);
    }
    effective.push({
      ...event,
      occurredAt,
      data,
      correctedBy: [...(event.correctedBy ?? []), ...applied.map((c) => c.eventId)],
    });
  }
  return effective;
}

/** The id a stored EventCorrected / EventRetracted names. */
function targetOf(correction: EventEnvelope): string {
  return String(correction.data.targetEventId);
}

function isPatch(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The events recorded by `knownAt` (an instant, or a business time meaning the end of its period). */
export function recordedBy<E extends EventEnvelope>(events: readonly E[], knownAt: string): E[] {
  const cutoff = instantMillis(knownAt);
  return events.filter((event) => Date.parse(event.recordedAt) <= cutoff);
}

/**
 * Of effective events, those that had taken effect by `asOf` (business time, taken as the end of
 * the period it names): an event takes effect at its (corrected) earliest instant. Order is kept.
 */
export function takenEffectBy<E extends EventEnvelope>(effective: readonly E[], asOf: string): E[] {
  const cutoff = instantMillis(asOf);
  return effective.filter((event) => {
    const occurred = tryParseBusinessTime(event.occurredAt);
    // An event whose business time cannot be read (never written by this domain) counts from when it was recorded.
    const takesEffect = occurred.ok ? Date.parse(occurred.value.earliest) : Date.parse(event.recordedAt);
    return takesEffect <= cutoff;
  });
}

/**
 * The events that had taken effect by `asOf` (business time, taken as the end of the period it
 * names) as believed at `knownAt`: what loadStream folds to get the state then.
 * Events are kept in stream order; an event takes effect at its (corrected) earliest instant.
 */
export function effectiveEvents<E extends EventEnvelope>(
  events: readonly E[],
  options: { asOf?: string; knownAt?: string } = {},
): E[] {
  const effective = applyCorrections(events, options.knownAt);
  return options.asOf === undefined ? effective : takenEffectBy(effective, options.asOf);
}
