import {
  ActorSchema,
  isActorId,
  knownState,
  looksLikeStateCode,
  STATE_CODE_PATTERN,
  unknownStateCodeMessage,
} from '@agreements/domain';
import type { TSchema } from '@sinclair/typebox';
import type { FieldError } from '../outcome/refusal';

/** The fields an actor may have, read from its schema (so members of a group count once it has them). */
const ACTOR_FIELDS = new Set(Object.keys(ActorSchema.properties));

type Json = unknown;

/**
 * An actor wherever it sits: an object with an actor id and no field an actor cannot have. Found by
 * shape rather than by a list of fields, so every actor of every command is covered, a new one
 * included, and so are the actors inside a correction's free-form data.
 */
function isActorShaped(value: Json): value is { id: string; name?: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const fields = Object.keys(value);
  return isActorId((value as { id?: unknown }).id) && fields.every((field) => ACTOR_FIELDS.has(field));
}

const childPath = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`;

/** A string field that holds a state code on its own (OpenProcess's hostCountry): its schema says so. */
function isStateCodeField(schema: SchemaNode | undefined): boolean {
  return schema?.type === 'string' && schema.pattern === STATE_CODE_PATTERN;
}

interface SchemaNode {
  type?: unknown;
  pattern?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** Walks the data, and its schema as far as the schema describes it (a correction's data it does not). */
function walk(value: Json, schema: SchemaNode | undefined, path: string, problems: FieldError[]): Json {
  if (Array.isArray(value))
    return value.map((item, index) => walk(item, schema?.items, childPath(path, index), problems));
  if (typeof value === 'string' && isStateCodeField(schema) && !knownState(value)) {
    problems.push({ field: path, message: unknownStateCodeMessage(value) });
  }
  if (value === null || typeof value !== 'object') return value;
  const walked = Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      walk(child, schema?.properties?.[key], childPath(path, key), problems),
    ]),
  );
  if (!isActorShaped(value)) return walked;
  if (!looksLikeStateCode(value.id)) {
    // The schema says this too, but TypeBox (which checks a correction's data) does not read `else`.
    if (value.name === undefined) problems.push({ field: childPath(path, 'name'), message: 'is required' });
    return walked;
  }
  const state = knownState(value.id);
  if (!state) {
    problems.push({ field: childPath(path, 'id'), message: unknownStateCodeMessage(value.id) });
    return walked;
  }
  return value.name === undefined ? { ...walked, name: state.name } : walked;
}

/**
 * Checks every state code of a command's data (actors, and fields whose schema holds a state code)
 * against the ISO 3166 code list and names the states
 * the client left unnamed, with the list's name (a former state keeps its former name). Returns a
 * copy; the data the client sent is left as it is (its hash makes the command idempotent).
 */
export function nameStates(
  data: Record<string, unknown>,
  dataSchema: TSchema,
): { data: Record<string, unknown>; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const named = walk(data, dataSchema as SchemaNode, 'data', problems) as Record<string, unknown>;
  return { data: named, problems };
}
