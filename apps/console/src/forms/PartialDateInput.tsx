import { formatBusinessTime, parsePartialDate, precisionWords } from '../dates';

/**
 * Business time as precise as it is known: 2017, 2017-08, 2017-05-04, a date-time or an interval
 * A/B. Plain text (a date picker forces a day); what it will mean is said beside it as typed.
 */
export function PartialDateInput({ id, value, onInput, describedBy, invalid }: { id: string; value: string; onInput(v: string): void; describedBy?: string; invalid?: boolean }) {
  const parsed = value ? parsePartialDate(value) : undefined;
  const hintId = `${id}-hint`;
  return (
    <>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        placeholder="2017, 2017-05, 2017-05-04 or A/B"
        value={value}
        aria-invalid={invalid || (value !== '' && !parsed) ? 'true' : undefined}
        aria-describedby={[hintId, describedBy].filter(Boolean).join(' ')}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <small id={hintId} class="hint">
        {value === '' ? 'year, month, day, date-time or interval' : parsed ? `${formatBusinessTime(value)} (${precisionWords(value)})` : 'not a date the API takes'}
      </small>
    </>
  );
}
