import type { ComponentChildren } from 'preact';

/**
 * A region that scrolls sideways on narrow screens (a wide table, a timeline). It takes focus so
 * that keyboard users can scroll it too, and is named for what it holds.
 */
export function Scroll({ label, kind, children }: { label: string; kind: 'table' | 'timeline'; children: ComponentChildren }) {
  return (
    <div class={kind === 'table' ? 'table-wrap' : 'timeline-wrap'} tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
