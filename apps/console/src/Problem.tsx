import type { ApiError } from './api';

/** An API refusal as the page shows it: in an alert, with its code. */
export function Problem({ error, title = 'The server refused' }: { error?: ApiError; title?: string }) {
  if (!error) return null;
  return (
    <div role="alert" class="alert">
      <strong>{title}:</strong> {error.message} <code>{error.code}</code>
    </div>
  );
}
