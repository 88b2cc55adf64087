import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, get, newCommandId } from '../api';
import { type CommandCatalogue, commandCatalogue, normalisePath, prune } from '../forms/command-schemas';
import { type Errors, SchemaField } from '../forms/SchemaField';
import { href, navigate, type Route } from '../router';
import { useLoad } from '../use-load';

// Recording a command (operators): the form of the chosen command type, generated from its
// schema; If-Match carries the revision this page read, so a command based on a stale page is
// refused (412) instead of applied to a state the operator did not see. A refused command stores
// nothing and the form keeps what was typed.

const ENVELOPE_HIDDEN = new Set(['type', 'commandId', 'expectedRevision']);

export function RecordPage({ route, kind }: { route: Route; kind: 'agreement' | 'process' }) {
  const existingId = route.segments[1] && route.segments[2] === 'record' ? route.segments[1] : undefined;
  const [newId, setNewId] = useState('');
  const id = existingId ?? newId;
  const collection = kind === 'agreement' ? 'agreements' : 'processes';
  const catalogue = useLoad<CommandCatalogue>(() => commandCatalogue(kind), [kind]);
  const stream = useLoad(
    () => (existingId ? get(`/v1/${collection}/${encodeURIComponent(existingId)}`) : Promise.resolve(undefined)),
    [existingId],
  );
  const type = route.params.get('type') ?? (existingId ? '' : kind === 'agreement' ? 'DraftAgreement' : 'OpenProcess');
  const [values, setValues] = useState<Record<string, any>>({ data: {} });
  const [commandId, setCommandId] = useState(newCommandId);
  const [revision, setRevision] = useState<number>();
  const [errors, setErrors] = useState<Errors>(new Map());
  const [refusal, setRefusal] = useState<ApiError>();
  const [recorded, setRecorded] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (stream.data) setRevision(stream.data.revision);
  }, [stream.data]);
  // Another command type: its own data fields; when and from where (occurredAt, sources) stay.
  useEffect(() => {
    setValues((v) => ({ ...v, data: {} }));
    setErrors(new Map());
    setRefusal(undefined);
    setRecorded(undefined);
  }, [type]);

  const schema = type && catalogue.data?.types.includes(type) ? catalogue.data.schema(type) : undefined;
  const chooseType = (t: string) => navigate(href(route.segments, { type: t }));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!schema || !id) return;
    setBusy(true);
    setRecorded(undefined);
    try {
      const body = { type, commandId, ...((prune(values) as object) ?? {}), data: (prune(values.data) as object) ?? {} };
      const headers: Record<string, string> = revision !== undefined ? { 'if-match': `"${revision}"` } : {};
      const answer = await call(`/v1/${collection}/${encodeURIComponent(id)}/commands`, { method: 'POST', body, headers });
      setErrors(new Map());
      setRefusal(undefined);
      setRevision(answer.body.revision);
      setRecorded(`Recorded ${answer.body.events.map((ev: any) => ev.type).join(', ')}: the ${kind} is at revision ${answer.body.revision}.`);
      setValues({ data: {} });
      setCommandId(newCommandId());
    } catch (err) {
      const problem = err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err));
      const byField: Errors = new Map();
      for (const d of problem.fieldProblems) {
        const path = normalisePath(d.field);
        byField.set(path, [...(byField.get(path) ?? []), d.message]);
      }
      setErrors(byField);
      setRefusal(problem);
    } finally {
      setBusy(false);
    }
  };

  const label = kind === 'agreement' ? 'Agreement' : 'Process';
  return (
    <section class="narrow">
      <h1>{existingId ? `Record for ${stream.data?.title ?? stream.data?.name ?? existingId}` : `New ${kind}`}</h1>
      {existingId && (
        <p>
          <a href={href([collection, existingId])}>Back to the {kind}</a>
        </p>
      )}
      <form onSubmit={submit} noValidate>
        {!existingId && (
          <div class="field">
            <label for="stream-id">{label} id (required)</label>
            <input id="stream-id" type="text" value={newId} placeholder="astana-deescalation-memorandum" onInput={(e) => setNewId(e.currentTarget.value)} />
          </div>
        )}
        <div class="field">
          <label for="command-type">Command</label>
          <select id="command-type" value={type} onChange={(e) => chooseType(e.currentTarget.value)}>
            <option value="">choose…</option>
            {(catalogue.data?.types ?? []).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        {catalogue.error && (
          <div role="alert" class="alert">
            Could not read the command schemas: {catalogue.error.message}
          </div>
        )}
        {schema && (
          <>
            <p class="muted">
              {revision !== undefined ? `Based on revision ${revision} (sent as If-Match).` : 'A new stream: no revision to match.'} Command id{' '}
              <code>{commandId}</code>
            </p>
            {Object.entries<any>(schema.properties)
              .filter(([name]) => !ENVELOPE_HIDDEN.has(name))
              .map(([name, child]) => (
                <SchemaField
                  key={`${type}-${name}`}
                  schema={child}
                  path={[name]}
                  label={name === 'occurredAt' ? 'Occurred at' : name === 'data' ? type : name.charAt(0).toUpperCase() + name.slice(1)}
                  required={(schema.required ?? []).includes(name)}
                  value={values[name]}
                  errors={errors}
                  onChange={(v) => setValues({ ...values, [name]: v })}
                />
              ))}
          </>
        )}
        {refusal && (
          <div role="alert" class="alert">
            <strong>Not recorded ({refusal.code}):</strong> {refusal.message}
            {refusal.code === 'REVISION_CONFLICT' && existingId && (
              <p>
                The {kind} changed since this page read it.{' '}
                <button type="button" class="secondary" onClick={() => stream.reload()}>
                  Read the current revision
                </button>
              </p>
            )}
            {errors.size > 0 && (
              <ul>
                {[...errors].map(([field, messages]) => (
                  <li key={field}>
                    <code>{field}</code>: {messages.join('; ')}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {recorded && (
          <p role="status" class="ok">
            {recorded}
          </p>
        )}
        <button type="submit" disabled={busy || !schema || !id}>
          Record
        </button>
      </form>
    </section>
  );
}
