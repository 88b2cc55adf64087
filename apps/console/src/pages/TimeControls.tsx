import { href, navigate } from '../router';

// "As of" (business time: a day) and "Known at" (recorded time: to the millisecond, UTC). Native
// date inputs: typed or picked, with the keyboard alone. Their values live in the address, so a
// redraw is a navigation and every view can be shared.

const toInput = (iso: string | null) => (iso ? iso.replace(/Z$/, '') : '');
const fromInput = (value: string) => {
  if (!value) return undefined;
  const withSeconds = /T\d{2}:\d{2}$/.test(value) ? `${value}:00` : value;
  return `${withSeconds}Z`;
};

export function TimeControls({ segments, asOf, knownAt }: { segments: string[]; asOf: string | null; knownAt: string | null }) {
  const go = (next: { asOf?: string; knownAt?: string }) => navigate(href(segments, next));
  return (
    <form class="time-controls" aria-label="Time" onSubmit={(e) => e.preventDefault()}>
      <div class="field">
        <label for="as-of">As of</label>
        <input
          id="as-of"
          type="date"
          value={asOf ?? ''}
          aria-describedby="as-of-help"
          onChange={(e) => go({ asOf: e.currentTarget.value || undefined, knownAt: knownAt ?? undefined })}
        />
        <small id="as-of-help">business time: the status on that day</small>
        {asOf && (
          <button type="button" class="link" onClick={() => go({ knownAt: knownAt ?? undefined })}>
            Today
          </button>
        )}
      </div>
      <div class="field">
        <label for="known-at">Known at</label>
        <input
          id="known-at"
          type="datetime-local"
          step="0.001"
          value={toInput(knownAt)}
          aria-describedby="known-at-help"
          onChange={(e) => go({ asOf: asOf ?? undefined, knownAt: fromInput(e.currentTarget.value) })}
        />
        <small id="known-at-help">recorded time, UTC: what had been recorded by then</small>
        {knownAt && (
          <button type="button" class="link" onClick={() => go({ asOf: asOf ?? undefined })}>
            Everything recorded
          </button>
        )}
      </div>
    </form>
  );
}
