import {
  type Agreement,
  agreementDecider,
  agreementView,
  applyCorrections,
  instantMillis,
  loadStream,
  parseBusinessTime,
  processDecider,
  processView,
} from '@agreements/domain';
import { agreementAt, buildInstants, type Instants, type Interval, provisionIntervals, statusIntervals } from '../folding/agreement-instants';
import { presentProcess } from '../folding/process-presentation';
import { businessTimeOf, type StoredEvent } from '../folding/stored-event';
import type { TimeQuery } from '../read-model.port';

/** A time query checked and resolved to instants (epoch ms). */
export interface ResolvedTime {
  asOf: string | null;
  knownAt: string | null;
  /** The end of the period asOf names. */
  asOfMs: number | undefined;
  /** Events recorded at or before this count (the end of the period knownAt names). */
  knownAtMs: number | undefined;
}

/**
 * asOf and knownAt take any business time (2017, 2017-06, 2017-06-01, RFC 3339) and mean the end
 * of the period they name, as the domain reads them (instantMillis). A bad one throws the
 * domain's InvalidBusinessTimeError.
 */
export function resolveTime(time: TimeQuery = {}): ResolvedTime {
  const asOf = time.asOf === undefined || time.asOf === '' ? null : time.asOf;
  const knownAt = time.knownAt === undefined || time.knownAt === '' ? null : time.knownAt;
  if (asOf !== null) parseBusinessTime(asOf);
  if (knownAt !== null) parseBusinessTime(knownAt);
  return {
    asOf,
    knownAt,
    asOfMs: asOf === null ? undefined : instantMillis(asOf),
    knownAtMs: knownAt === null ? undefined : instantMillis(knownAt),
  };
}

export function isCurrent(time: ResolvedTime): boolean {
  return time.asOf === null && time.knownAt === null;
}

function domainTime(time: ResolvedTime): { asOf?: string; knownAt?: string } {
  return { ...(time.asOf !== null ? { asOf: time.asOf } : {}), ...(time.knownAt !== null ? { knownAt: time.knownAt } : {}) };
}

/** The events recorded by knownAt (all without it): the stream as it was known then. */
export function knownEvents<E extends StoredEvent>(events: readonly E[], time: ResolvedTime): readonly E[] {
  if (time.knownAtMs === undefined) return events;
  const cutoff = time.knownAtMs;
  return events.filter((event) => Date.parse(event.recordedAt) <= cutoff);
}

export interface WorkingGroupRef {
  workingGroupId: string;
  name: string;
  processId: string;
  status: string;
}

/**
 * The agreement as of / as known at a time: the stream loaded by the domain (corrections applied
 * as known by knownAt, events taken by asOf, folded with its evolve), shown with the domain's
 * view. undefined when it did not exist on that axis.
 */
export function agreementViewAt(
  agreementId: string,
  events: readonly StoredEvent[],
  time: ResolvedTime,
  workingGroups: WorkingGroupRef[],
): Record<string, unknown> | undefined {
  const loaded = loadStream(agreementDecider, events, domainTime(time));
  if (loaded.effective.length === 0) return undefined;
  const view = agreementView(loaded.state, agreementId);
  if (!view) return undefined;
  return { ...view, workingGroups, asOf: time.asOf, knownAt: time.knownAt };
}

/** The working groups of a process (as of / as known at the time) that serve an agreement. */
export function workingGroupsServing(agreementId: string, processId: string, events: readonly StoredEvent[], time: ResolvedTime): WorkingGroupRef[] {
  const { process } = loadStream(processDecider, events, domainTime(time)).state;
  if (!process) return [];
  return process.workingGroups
    .filter((group) => group.agreementIds.includes(agreementId))
    .map((group) => ({ workingGroupId: group.workingGroupId, name: group.name, processId, status: group.status }));
}

export function processViewAt(processId: string, events: readonly StoredEvent[], time: ResolvedTime): Record<string, unknown> | undefined {
  const loaded = loadStream(processDecider, events, domainTime(time));
  if (loaded.effective.length === 0) return undefined;
  const view = processView(loaded.state, processId);
  if (!view) return undefined;
  return { ...presentProcess(view), asOf: time.asOf, knownAt: time.knownAt };
}

export interface TimelineEntry {
  status: string;
  /** Provisions: the implementation level (0-3) when the assessment gave one. */
  level?: number;
  /** Business time (ISO instant, UTC) the interval starts: the earliest instant of the opening event's occurredAt. */
  from: string;
  /** Where the next interval starts; null for the interval still open. */
  to: string | null;
  /** The precision of the opening event's business time (year, month, day, instant, interval): "Aug 2017", not 1 Aug. */
  precision: string;
  /** The opening event's business time as written (corrected, when a correction changed it). */
  occurredAt: string;
  eventId: string;
  /** Events that corrected the opening event, when any. */
  correctedBy?: string[];
  sources: unknown[];
  recordedAt: string;
}

function isoInstant(millis: number): string {
  return new Date(millis).toISOString();
}

function toTimelineEntry(interval: Interval, status: string, level?: number): TimelineEntry {
  const event = interval.event;
  const entry: TimelineEntry = {
    status,
    ...(level !== undefined ? { level } : {}),
    from: isoInstant(interval.from),
    to: interval.to === null ? null : isoInstant(interval.to),
    precision: businessTimeOf(event.occurredAt)?.precision ?? 'instant',
    occurredAt: event.occurredAt,
    eventId: event.eventId,
    sources: event.sources ?? [],
    recordedAt: event.recordedAt,
  };
  if (event.correctedBy && event.correctedBy.length > 0) entry.correctedBy = event.correctedBy;
  return entry;
}

export interface PartyTimelineEntry {
  status: string;
  /** Business time (ISO instant, UTC): the earliest instant of the business time the status was set at. */
  from: string;
  /** Where the next status starts; null for the status that lasts. */
  to: string | null;
  eventId: string;
}

function earliestInstant(businessTime: string): string {
  const parsed = businessTimeOf(businessTime);
  return parsed ? parsed.earliest : businessTime;
}

/**
 * Each party's status intervals, from the domain's own per-party history of the same fold (the
 * agreement as of the timeline's last instant), in the parties' order: contiguous by construction.
 */
function partyTimelines(agreement: Agreement | null): Record<string, PartyTimelineEntry[]> {
  const parties: Record<string, PartyTimelineEntry[]> = {};
  for (const party of agreement?.parties ?? []) {
    parties[party.id] = party.statusHistory.map((interval) => ({
      status: interval.status,
      from: earliestInstant(interval.from),
      to: interval.to === null ? null : earliestInstant(interval.to),
      eventId: interval.eventId,
    }));
  }
  return parties;
}

/**
 * Status intervals of the agreement and of each provision, in business time, as known at knownAt
 * and up to asOf (the last interval then stays open). Built from the same instants the projector
 * keeps, so the list filter inForceOn and the timeline always agree.
 */
export function timelineAt(agreementId: string, events: readonly StoredEvent[], time: ResolvedTime): Record<string, unknown> | undefined {
  const known = knownEvents(events, time);
  if (known.length === 0) return undefined;
  let instants: Instants = buildInstants(applyCorrections(events, time.knownAt ?? undefined), Number.POSITIVE_INFINITY);
  if (time.asOfMs !== undefined) {
    const cutoff = time.asOfMs;
    instants = instants.filter((instant) => instant.at <= cutoff);
  }
  if (agreementAt(instants, Number.POSITIVE_INFINITY) === null) return undefined;
  const provisions: Record<string, TimelineEntry[]> = {};
  for (const [provisionId, intervals] of provisionIntervals(instants)) {
    provisions[provisionId] = intervals.map((interval) => {
      const provision = interval.opened.provisions.find((p) => p.provisionId === provisionId);
      return toTimelineEntry(interval, provision?.status ?? interval.value, provision?.level);
    });
  }
  return {
    agreementId,
    revision: known[known.length - 1].revision,
    statuses: statusIntervals(instants).map((interval) => toTimelineEntry(interval, interval.value)),
    provisions,
    parties: partyTimelines(agreementAt(instants, Number.POSITIVE_INFINITY)),
    asOf: time.asOf,
    knownAt: time.knownAt,
  };
}
