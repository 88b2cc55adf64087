/** Client-chosen ids: process, agreement, round, provision, working group and document ids. */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$';
const SLUG = new RegExp(SLUG_PATTERN);

/**
 * Actor ids. States: ISO 3166-1 alpha-3, upper case (RUS, TUR, IRN, SYR, USA, JOR, KAZ).
 * Everything else: a lower-case slug behind one of these type prefixes:
 *   igo     intergovernmental organisation (igo:un, igo:osce)
 *   group   armed or political group, coalition (group:syrian-opposition)
 *   gov     a government or its delegation (gov:syrian-government)
 *   person  an individual (person:staffan-de-mistura)
 *   org     any other organisation (org:icrc)
 *   ngo     non-governmental organisation (ngo:crisis-group)
 */
export const ACTOR_ID_PREFIXES = ['igo', 'group', 'gov', 'person', 'org', 'ngo'] as const;
export type ActorIdPrefix = (typeof ACTOR_ID_PREFIXES)[number];
export const ACTOR_ID_PATTERN = `^(?:[A-Z]{3}|(?:${ACTOR_ID_PREFIXES.join('|')}):[a-z0-9][a-z0-9-]*[a-z0-9])$`;
const ACTOR_ID = new RegExp(ACTOR_ID_PATTERN);
export const ACTOR_ID_MAX_LENGTH = 120;
export const ACTOR_NAME_MAX_LENGTH = 200;

/** Event ids are UUIDs chosen by the application layer. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export interface Actor {
  id: string;
  name: string;
  /** A group acting as one (group:e3): its members, one level deep. */
  members?: Array<{ id: string; name: string }>;
}

/** True when the actor is the one named, or a group with it among its members. */
export function actorMatches(actor: Actor, actorId: string): boolean {
  return actor.id === actorId || (actor.members?.some((member) => member.id === actorId) ?? false);
}

export function isSlug(value: unknown): value is string {
  return typeof value === 'string' && SLUG.test(value);
}

export function isActorId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= ACTOR_ID_MAX_LENGTH && ACTOR_ID.test(value);
}

export type StreamKind = 'agreement' | 'process';
export const STREAM_KINDS: readonly StreamKind[] = ['agreement', 'process'];

/** agreement-{agreementId} / process-{processId} */
export function streamIdOf(kind: StreamKind, id: string): string {
  return `${kind}-${id}`;
}

/** The kind and id of a stream id, or undefined when it is not one of ours. */
export function parseStreamId(streamId: string): { kind: StreamKind; id: string } | undefined {
  for (const kind of STREAM_KINDS) {
    const prefix = `${kind}-`;
    if (streamId.startsWith(prefix) && isSlug(streamId.slice(prefix.length))) {
      return { kind, id: streamId.slice(prefix.length) };
    }
  }
  return undefined;
}
