import { axisTicks, formatBusinessTime, parsePartialDate } from '../dates';

// The rounds of a process on a calendar: for each round its first scheduled window (outlined),
// where it was scheduled last (filled lightly) and when it was held (solid); the distance from
// the first window to the last or to the held dates is its slippage.

const WIDTH = 1000;
const LABEL = 150;
const ROW = 30;
const AXIS = 22;

interface Window {
  start: number;
  end: number;
}

const span = (text: string | null | undefined): Window | undefined => (text ? parsePartialDate(text) : undefined);

export function roundWords(r: any): string {
  const held = r.heldFrom ? `held ${formatBusinessTime(r.heldTo && r.heldTo !== r.heldFrom ? `${r.heldFrom}/${r.heldTo}` : r.heldFrom)}` : r.status;
  const slipped =
    r.scheduledWindow !== r.firstScheduledWindow
      ? `, first scheduled ${formatBusinessTime(r.firstScheduledWindow)}, postponed ${r.postponements.length} time${r.postponements.length === 1 ? '' : 's'}`
      : '';
  return `round ${r.ordinal ?? r.roundId} ${held}, scheduled ${formatBusinessTime(r.scheduledWindow)}${slipped}`;
}

export function RoundsCalendar({ rounds, nextRoundId }: { rounds: any[]; nextRoundId?: string }) {
  const rows = rounds.map((r) => ({
    r,
    first: span(r.firstScheduledWindow),
    last: span(r.scheduledWindow),
    held: span(r.heldFrom ? `${r.heldFrom}/${r.heldTo ?? r.heldFrom}` : null),
  }));
  const all = rows.flatMap((x) => [x.first, x.last, x.held]).filter((w): w is Window => !!w);
  if (all.length === 0) return <p class="muted">No rounds yet.</p>;
  const min = Math.min(...all.map((w) => w.start));
  const start = Date.UTC(new Date(min).getUTCFullYear(), new Date(min).getUTCMonth(), 1);
  const max = Math.max(...all.map((w) => w.end));
  const end = Date.UTC(new Date(max).getUTCFullYear(), new Date(max).getUTCMonth() + 1, 1);
  const x = (t: number) => LABEL + ((t - start) / (end - start)) * (WIDTH - LABEL - 8);
  const height = AXIS + rows.length * ROW + 4;
  const box = (w: Window | undefined, y: number, cls: string, h: number) =>
    w && <rect class={cls} x={x(w.start)} y={y} width={Math.max(3, x(w.end) - x(w.start))} height={h} />;
  return (
    <svg class="timeline calendar" role="img" aria-label={`Rounds: ${rounds.map(roundWords).join('; ')}`} viewBox={`0 0 ${WIDTH} ${height}`}>
      <g class="axis">
        {axisTicks(start, end).map((t) => (
          <g key={t.at}>
            <line x1={x(t.at)} x2={x(t.at)} y1={AXIS - 4} y2={height} />
            <text x={x(t.at) + 3} y={AXIS - 8}>
              {t.label}
            </text>
          </g>
        ))}
      </g>
      {rows.map(({ r, first, last, held }, i) => {
        const y = AXIS + i * ROW;
        const slipTo = held ?? last;
        return (
          <g key={r.roundId} class={`round r-${r.status}${r.roundId === nextRoundId ? ' next' : ''}`}>
            <title>{roundWords(r)}</title>
            <text class="lane-label" x={4} y={y + ROW / 2 + 4}>
              {`Round ${r.ordinal ?? r.roundId}${r.roundId === nextRoundId ? ' (next)' : ''}`}
            </text>
            {box(first, y + 4, 'first', ROW - 8)}
            {box(last, y + 8, 'scheduled', ROW - 16)}
            {box(held, y + 6, 'held', ROW - 12)}
            {first && slipTo && slipTo.start > first.end && (
              <line class="slip" x1={x(first.end)} x2={x(slipTo.start)} y1={y + ROW / 2} y2={y + ROW / 2} />
            )}
          </g>
        );
      })}
    </svg>
  );
}
