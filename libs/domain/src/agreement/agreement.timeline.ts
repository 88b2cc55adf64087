import { type BusinessTimePrecision, tryParseBusinessTime } from '../shared/business-time';
import { applyCorrections } from '../shared/corrections';
import type { EventEnvelope } from '../shared/decider';
import type { AgreementStatus, ProvisionStatus } from './agreement.schemas';
import { type Agreement, applyAgreementEvent } from './agreement.state';

export interface StatusInterval {
  status: AgreementStatus;
  /** Business time as written of the event that opened the interval. */
  from: string;
  /** The next interval's from; null for the open interval. */
  to: string | null;
  precision: BusinessTimePrecision;
  eventId: string;
}

export interface ProvisionInterval {
  status: ProvisionStatus;
  level?: number;
  from: string;
  to: string | null;
  precision: BusinessTimePrecision;
  eventId: string;
}

export interface AgreementTimeline {
  agreementId: string;
  statuses: StatusInterval[];
  provisions: Record<string, ProvisionInterval[]>;
}

interface Change<T> {
  value: T;
  from: string;
  earliest: number;
  precision: BusinessTimePrecision;
  eventId: string;
}

/** Stable sort by business time, then chained: each interval ends where the next begins. */
function intervals<T>(
  changes: Change<T>[],
): Array<T & { from: string; to: string | null; precision: BusinessTimePrecision; eventId: string }> {
  const ordered = changes
    .map((change, index) => ({ change, index }))
    .sort((a, b) => a.change.earliest - b.change.earliest || a.index - b.index);
  return ordered.map(({ change }, i) => ({
    ...change.value,
    from: change.from,
    to: i + 1 < ordered.length ? ordered[i + 1].change.from : null,
    precision: change.precision,
    eventId: change.eventId,
  }));
}

function changeAt<T>(event: EventEnvelope, value: T): Change<T> {
  const time = tryParseBusinessTime(event.occurredAt);
  return {
    value,
    from: event.occurredAt,
    earliest: time.ok ? Date.parse(time.value.earliest) : Date.parse(event.recordedAt),
    precision: time.ok ? time.value.precision : 'instant',
    eventId: event.eventId,
  };
}

/**
 * The intervals of the agreement's status and of each provision's status, from the stream's
 * events (corrections applied, as known at `knownAt` when given). Each interval opens with the
 * event that changed the status, at that event's business time; intervals are ordered by business
 * time and chained without gaps or overlaps. Null when there is no agreement (never drafted, or
 * its drafting retracted).
 */
export function agreementTimeline(
  events: readonly EventEnvelope[],
  agreementId: string,
  options: { knownAt?: string } = {},
): AgreementTimeline | null {
  let agreement: Agreement | null = null;
  let statusChanges: Change<{ status: AgreementStatus }>[] = [];
  let provisionChanges: Record<string, Change<{ status: ProvisionStatus; level?: number }>[]> = {};
  for (const event of applyCorrections(events, options.knownAt)) {
    const before: Agreement | null = agreement;
    agreement = applyAgreementEvent(agreement, event);
    if (!agreement) continue;
    if (event.type === 'AgreementDrafted') {
      // A new drafting starts the agreement's story over.
      statusChanges = [];
      provisionChanges = {};
    }
    if (!before || event.type === 'AgreementDrafted' || before.status !== agreement.status) {
      statusChanges.push(changeAt(event, { status: agreement.status }));
    }
    for (const provision of agreement.provisions) {
      const previous = before?.provisions.find((p) => p.provisionId === provision.provisionId);
      if (previous && previous.status === provision.status && previous.level === provision.level) continue;
      const value: { status: ProvisionStatus; level?: number } = { status: provision.status };
      if (provision.level !== undefined) value.level = provision.level;
      (provisionChanges[provision.provisionId] ??= []).push(changeAt(event, value));
    }
  }
  if (!agreement) return null;
  return {
    agreementId,
    statuses: intervals(statusChanges),
    provisions: Object.fromEntries(Object.entries(provisionChanges).map(([id, changes]) => [id, intervals(changes)])),
  };
}
