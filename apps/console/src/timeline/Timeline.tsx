import { axisTicks, formatBusinessTime, precisionWords } from '../dates';
import { type Lane, type Marker, type Segment, type TimelineModel, laneName, segmentStart, statusWords } from './model';

// The agreement drawn in business time: one SVG for the status (its accessible name lists the
// statuses with their dates as shown), one for the parties, provisions and markers. Every mark
// can be clicked to select its row in the table of changes below, where its sources are.

const WIDTH = 1000;
const LABEL = 190;
const LANE = 26;
const AXIS = 22;

interface Props {
  model: TimelineModel;
  onSelect(key: string): void;
  selected?: string;
}

function scale(model: TimelineModel) {
  const span = model.end - model.start || 1;
  return (t: number) => LABEL + ((t - model.start) / span) * (WIDTH - LABEL - 8);
}

function Axis({ model, height }: { model: TimelineModel; height: number }) {
  const x = scale(model);
  return (
    <g class="axis">
      {axisTicks(model.start, model.end).map((t) => (
        <g key={t.at}>
          <line x1={x(t.at)} x2={x(t.at)} y1={AXIS - 4} y2={height} />
          <text x={x(t.at) + 3} y={AXIS - 8}>
            {t.label}
          </text>
        </g>
      ))}
    </g>
  );
}

function SegmentMarks({ model, segment, y, onSelect, selected }: { model: TimelineModel; segment: Segment; y: number } & Omit<Props, 'model'>) {
  const x = scale(model);
  const x0 = x(segment.from);
  const x1 = x(segment.to ?? model.end);
  const band = x(segment.startEnd);
  const label = `${statusWords(segment.status)} from ${segmentStart(segment)}${segment.occurredAt ? ` (${precisionWords(segment.occurredAt)})` : ''}`;
  return (
    <g class={`seg s-${segment.status}${selected === segment.key ? ' selected' : ''}`} onClick={() => onSelect(segment.key)}>
      <title>{label}</title>
      <rect x={x0} y={y + 3} width={Math.max(1, x1 - x0)} height={LANE - 6} class={segment.to === null ? 'open' : undefined} />
      {band - x0 > 1.5 && <rect class="uncertain" x={x0} y={y + 3} width={Math.min(band, x1) - x0} height={LANE - 6} />}
      {x1 - x0 > 60 && (
        <text x={x0 + 4} y={y + LANE / 2 + 4}>
          {statusWords(segment.status)}
        </text>
      )}
    </g>
  );
}

function LaneMarks({ model, lane, y, ...rest }: { model: TimelineModel; lane: Lane; y: number } & Omit<Props, 'model'>) {
  return (
    <g class="lane">
      <text class="lane-label" x={4} y={y + LANE / 2 + 4}>
        {lane.label.length > 26 ? `${lane.label.slice(0, 25)}…` : lane.label}
      </text>
      {lane.segments.map((s) => (
        <SegmentMarks key={s.key} model={model} segment={s} y={y} {...rest} />
      ))}
    </g>
  );
}

function MarkerMark({ model, marker, y, onSelect, selected }: { model: TimelineModel; marker: Marker; y: number } & Omit<Props, 'model'>) {
  const x = scale(model);
  const x0 = x(marker.at);
  const w = Math.max(0, x(marker.atEnd) - x0);
  const cy = y + LANE / 2;
  return (
    <g class={`marker m-${marker.kind}${selected === marker.key ? ' selected' : ''}`} onClick={() => onSelect(marker.key)}>
      <title>{`${marker.kind}: ${marker.text}, ${formatBusinessTime(marker.occurredAt)}`}</title>
      {w > 2 && <rect class="uncertain" x={x0} y={cy - 5} width={w} height={10} />}
      <path d={`M${x0} ${cy - 7}L${x0 + 7} ${cy}L${x0} ${cy + 7}L${x0 - 7} ${cy}Z`} />
    </g>
  );
}

export function markersName(markers: Marker[]): string {
  return markers.length === 0
    ? 'No breaches, endorsements, disputes, corrections or retractions'
    : `Markers: ${markers.map((m) => `${m.kind} ${formatBusinessTime(m.occurredAt)}`).join(', ')}`;
}

export function StatusTimeline({ model, ...rest }: Props) {
  const height = AXIS + LANE + 4;
  return (
    <svg class="timeline" role="img" aria-label={laneName(model.status)} viewBox={`0 0 ${WIDTH} ${height}`}>
      <Axis model={model} height={height} />
      <LaneMarks model={model} lane={model.status} y={AXIS} {...rest} />
    </svg>
  );
}

export function LanesTimeline({ model, ...rest }: Props) {
  const lanes = [...model.parties, ...model.provisions];
  const height = AXIS + (lanes.length + 1) * LANE + 4;
  const name = [
    model.parties.length ? `Parties. ${model.parties.map(laneName).join('. ')}` : 'No parties',
    model.provisions.length ? `Provisions. ${model.provisions.map(laneName).join('. ')}` : 'No provisions',
    markersName(model.markers),
  ].join('. ');
  return (
    <svg class="timeline" role="img" aria-label={name} viewBox={`0 0 ${WIDTH} ${height}`}>
      <Axis model={model} height={height} />
      {lanes.map((lane, i) => (
        <LaneMarks key={lane.key} model={model} lane={lane} y={AXIS + i * LANE} {...rest} />
      ))}
      <text class="lane-label" x={4} y={AXIS + lanes.length * LANE + LANE / 2 + 4}>
        Markers
      </text>
      {model.markers.map((m) => (
        <MarkerMark key={m.key} model={model} marker={m} y={AXIS + lanes.length * LANE} {...rest} />
      ))}
    </svg>
  );
}
