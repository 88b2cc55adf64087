import { type JsonSchema, humanise, optionsOf, widgetOf } from './command-schemas';
import { PartialDateInput } from './PartialDateInput';

// One field of a command form, drawn from its JSON Schema node, recursively for objects and
// lists. Errors the API gave for this field's path are shown right under it and tied to it
// (aria-describedby, aria-invalid).

export type Errors = Map<string, string[]>;

interface Props {
  schema: JsonSchema;
  path: string[];
  label: string;
  required: boolean;
  value: any;
  errors: Errors;
  onChange(value: any): void;
}

export const fieldId = (path: string[]) => `f-${path.join('-').replace(/[^A-Za-z0-9-]/g, '_')}`;

function FieldErrors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <span id={id} class="field-error">
      {messages.join('; ')}
    </span>
  );
}

/** "Parties" -> "Party", "Sources" -> "Source": what one item of a list is called. */
const singular = (label: string) => (/ies$/.test(label) ? label.replace(/ies$/, 'y') : label.replace(/s$/, '')) || 'item';

function emptyOf(schema: JsonSchema): any {
  const w = widgetOf(schema);
  return w === 'object' ? {} : w === 'array' ? [] : w === 'checkbox' ? false : '';
}

export function SchemaField({ schema, path, label, required, value, errors, onChange }: Props) {
  const id = fieldId(path);
  const key = path.join('.');
  const messages = errors.get(key);
  const errorId = `${id}-error`;
  const widget = widgetOf(schema);
  const describedBy = messages?.length ? errorId : undefined;
  const invalid = messages?.length ? 'true' : undefined;
  const labelText = `${label}${required ? ' (required)' : ''}`;
  const help = schema.description ? <small class="hint">{schema.description}</small> : null;

  if (widget === 'const') return null;
  if (widget === 'object') {
    return (
      <fieldset id={id} aria-describedby={describedBy}>
        <legend>{labelText}</legend>
        {help}
        <FieldErrors id={errorId} messages={messages} />
        {Object.entries<JsonSchema>(schema.properties).map(([name, child]) => (
          <SchemaField
            key={name}
            schema={child}
            path={[...path, name]}
            label={humanise(name)}
            required={(schema.required ?? []).includes(name)}
            value={value?.[name]}
            errors={errors}
            onChange={(v) => onChange({ ...(value ?? {}), [name]: v })}
          />
        ))}
      </fieldset>
    );
  }
  if (widget === 'array') {
    const items: any[] = Array.isArray(value) ? value : [];
    const itemName = singular(label);
    return (
      <fieldset id={id} aria-describedby={describedBy}>
        <legend>{labelText}</legend>
        {help}
        <FieldErrors id={errorId} messages={messages} />
        {items.map((item, i) => (
          <div class="array-item" key={i}>
            <SchemaField
              schema={schema.items}
              path={[...path, String(i)]}
              label={`${itemName} ${i + 1}`}
              required
              value={item}
              errors={errors}
              onChange={(v) => onChange(items.map((x, j) => (j === i ? v : x)))}
            />
            <button type="button" class="secondary" onClick={() => onChange(items.filter((_, j) => j !== i))}>
              Remove {itemName.toLowerCase()} {i + 1}
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => onChange([...items, emptyOf(schema.items)])}>
          Add {itemName.toLowerCase()}
        </button>
      </fieldset>
    );
  }
  let control;
  switch (widget) {
    case 'select':
      control = (
        <select id={id} value={value ?? ''} aria-invalid={invalid} aria-describedby={describedBy} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">{required ? 'choose…' : 'none'}</option>
          {optionsOf(schema).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'date':
      control = <PartialDateInput id={id} value={value ?? ''} onInput={onChange} describedBy={describedBy} invalid={!!invalid} />;
      break;
    case 'number':
      control = (
        <input
          id={id}
          type="number"
          min={schema.minimum}
          max={schema.maximum}
          value={value ?? ''}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onInput={(e) => onChange(e.currentTarget.value === '' ? '' : Number(e.currentTarget.value))}
        />
      );
      break;
    case 'checkbox':
      control = <input id={id} type="checkbox" checked={!!value} aria-invalid={invalid} aria-describedby={describedBy} onChange={(e) => onChange(e.currentTarget.checked)} />;
      break;
    case 'textarea':
      control = <textarea id={id} rows={3} value={value ?? ''} aria-invalid={invalid} aria-describedby={describedBy} onInput={(e) => onChange(e.currentTarget.value)} />;
      break;
    case 'json':
      control = (
        <textarea
          id={id}
          rows={3}
          class="code"
          value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onInput={(e) => {
            const text = e.currentTarget.value;
            try {
              onChange(text === '' ? '' : JSON.parse(text));
            } catch {
              onChange(text);
            }
          }}
        />
      );
      break;
    default:
      control = <input id={id} type="text" value={value ?? ''} aria-invalid={invalid} aria-describedby={describedBy} onInput={(e) => onChange(e.currentTarget.value)} />;
  }
  return (
    <div class={`field${messages?.length ? ' has-error' : ''}`}>
      <label for={id}>{labelText}</label>
      {control}
      <FieldErrors id={errorId} messages={messages} />
      {widget !== 'date' && help}
    </div>
  );
}
