import { formatBusinessTime, parsePartialDate } from '../dates';

// What the agreement page draws, computed from the API's answers alone: the timeline
// (statuses, parties, provisions; intervals in business time) and the agreement (names, markers).

export interface Source {
  publisher: string;
  url?: string;
  publishedAt?: string;
  quote?: string;
}

export interface Segment {
  key: string;
  status: string;
  /** Start of the interval (earliest instant) and of its end (null: still open). */
  from: number;
  to: number | null;
  /** The start as written, when known (business time), and how wide it may be. */
  occurredAt?: string;
  startEnd: number;
  eventId: string;
  sources: Source[];
  /** False when the timeline answer does not carry this interval's sources (party intervals of events without a status change). */
  sourcesKnown: boolean;
}

export interface Lane {
  key: string;
  label: string;
  segments: Segment[];
}

export type MarkerKind = 'breach' | 'endorsement' | 'dispute' | 'correction' | 'retraction';

export interface Marker {
  key: string;
  kind: MarkerKind;
  at: number;
  atEnd: number;
  occurredAt: string;
  text: string;
  eventId?: string;
  sources: Source[];
}

export interface TimelineModel {
  start: number;
  end: number;
  status: Lane;
  parties: Lane[];
  provisions: Lane[];
  markers: Marker[];
}

const words = (status: string) => status.replace(/-/g, ' ');

interface Interval {
  status: string;
  from: string;
  to: string | null;
  eventId: string;
  occurredAt?: string;
  sources?: Source[];
}

/** Names a status lane the way screen readers and the tests read it: "Status: draft from May 2017, ...". */
export function laneName(lane: Lane): string {
  return `${lane.label}: ${lane.segments.map((s) => `${words(s.status)} from ${segmentStart(s)}`).join(', ')}`;
}

/** When an interval starts, as written when known, else its first day. */
export function segmentStart(s: Segment): string {
  return formatBusinessTime(s.occurredAt ?? new Date(s.from).toISOString().slice(0, 10));
}

export function statusWords(status: string): string {
  return words(status);
}

export function buildTimelineModel(
  timeline: any,
  agreement: any,
  extraMarkers: Array<Omit<Marker, 'at' | 'atEnd'>> = [],
): TimelineModel {
  // Party intervals carry no precision of their own: the event that opened them often opened a
  // status or provision interval too, which does.
  const byEvent = new Map<string, { occurredAt?: string; sources?: Source[] }>();
  const note = (i: Interval) => byEvent.set(i.eventId, { occurredAt: i.occurredAt, sources: i.sources });
  (timeline.statuses ?? []).forEach(note);
  for (const list of Object.values<Interval[]>(timeline.provisions ?? {})) list.forEach(note);

  const segments = (key: string, intervals: Interval[]): Segment[] =>
    intervals.map((i, n) => {
      const known = byEvent.get(i.eventId);
      const occurredAt = i.occurredAt ?? known?.occurredAt;
      const from = Date.parse(i.from);
      const span = occurredAt ? parsePartialDate(occurredAt) : undefined;
      return {
        key: `${key}-${n}`,
        status: i.status,
        from,
        to: i.to ? Date.parse(i.to) : null,
        occurredAt,
        // Drawn as wide as its precision when coarser than a day (a month-precise start is a month wide).
        startEnd: span && span.start === from && span.end - span.start > 86_400_000 ? span.end : from,
        eventId: i.eventId,
        sources: i.sources ?? known?.sources ?? [],
        sourcesKnown: i.sources !== undefined || known !== undefined,
      };
    });

  const parties = new Map<string, string>((agreement?.parties ?? []).map((p: any) => [p.id, p.name]));
  const titles = new Map<string, string>((agreement?.provisions ?? []).map((p: any) => [p.provisionId, p.title]));

  const markers: Marker[] = [];
  const mark = (m: Omit<Marker, 'at' | 'atEnd'>) => {
    const span = parsePartialDate(m.occurredAt);
    if (span) markers.push({ ...m, at: span.start, atEnd: span.end });
  };
  for (const b of agreement?.breaches ?? [])
    mark({ key: `breach-${b.eventId}`, kind: 'breach', occurredAt: b.occurredAt, text: `breach alleged by ${b.allegedBy?.name ?? b.allegedBy?.id}: ${b.description}`, eventId: b.eventId, sources: [] });
  for (const e of agreement?.endorsements ?? [])
    mark({ key: `endorsement-${e.eventId}`, kind: 'endorsement', occurredAt: e.at, text: `endorsed by ${e.by?.name ?? e.by?.id} (${e.instrument})`, eventId: e.eventId, sources: e.url ? [{ publisher: e.instrument, url: e.url }] : [] });
  for (const d of agreement?.disputes ?? [])
    mark({ key: `dispute-${d.eventId}`, kind: 'dispute', occurredAt: d.since, text: `${d.party?.name ?? d.party?.id} holds it ${words(d.claim)}`, eventId: d.eventId, sources: [] });
  extraMarkers.forEach(mark);
  markers.sort((a, b) => a.at - b.at);

  const status: Lane = { key: 'status', label: 'Status', segments: segments('status', timeline.statuses ?? []) };
  const partyLanes = Object.entries<Interval[]>(timeline.parties ?? {}).map(([id, list]) => ({
    key: `party-${id}`,
    label: parties.get(id) ?? id,
    segments: segments(`party-${id}`, list),
  }));
  const provisionLanes = Object.entries<Interval[]>(timeline.provisions ?? {}).map(([id, list]) => ({
    key: `provision-${id}`,
    label: titles.get(id) ?? id,
    segments: segments(`provision-${id}`, list),
  }));

  let start = Infinity;
  let last = -Infinity;
  for (const lane of [status, ...partyLanes, ...provisionLanes])
    for (const s of lane.segments) {
      start = Math.min(start, s.from);
      last = Math.max(last, s.startEnd, s.to ?? s.from);
    }
  for (const m of markers) {
    start = Math.min(start, m.at);
    last = Math.max(last, m.atEnd);
  }
  if (!Number.isFinite(start)) {
    start = Date.UTC(2000, 0, 1);
    last = start;
  }
  // Room after the last change for the open intervals to be seen as open: a tenth of the span,
  // at least two months.
  const end = last + Math.max((last - start) / 10, 61 * 86_400_000);
  return { start, end, status, parties: partyLanes, provisions: provisionLanes, markers };
}
