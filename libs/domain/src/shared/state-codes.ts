import { iso31661, iso31663 } from 'iso-3166';

/**
 * States are real states: a three-letter actor id must be an ISO 3166-1 alpha-3 code, or the
 * former code of a state ISO 3166-3 lists as gone (SUN, YUG, CSK, DDR...). The list comes from the
 * maintained `iso-3166` package (pure data, so the domain stays pure); nothing is typed by hand.
 */

/** What an actor id has to look like to be read as a state code (the rest are prefixed slugs). */
export const STATE_CODE_PATTERN = '^[A-Z]{3}$';
const STATE_CODE = new RegExp(STATE_CODE_PATTERN);

export interface KnownState {
  code: string;
  name: string;
  /** A code of ISO 3166-3: the state no longer exists under it. */
  former: boolean;
}

/**
 * Every known code once. A code both current and former (ATF) is current. A former code is named
 * as it was: 3166-3 lists it as the `from` of a change, and sometimes (SCG, from YUG) also as the
 * still-`formerly-assigned` result of an earlier one.
 */
function buildKnownStates(): ReadonlyMap<string, KnownState> {
  const known = new Map<string, KnownState>();
  for (const entry of iso31661) known.set(entry.alpha3, { code: entry.alpha3, name: entry.name, former: false });
  const formerEntries = iso31663.flatMap((change) => [
    change.from,
    ...change.to.filter((after) => after.state === 'formerly-assigned'),
  ]);
  for (const entry of formerEntries) {
    if (!known.has(entry.alpha3)) known.set(entry.alpha3, { code: entry.alpha3, name: entry.name, former: true });
  }
  return known;
}

const KNOWN_STATES = buildKnownStates();
const KNOWN_CODES = [...KNOWN_STATES.keys()].sort();

/** Three upper-case letters: the id claims to be a state (known or not). */
export function looksLikeStateCode(id: string): boolean {
  return STATE_CODE.test(id);
}

export function knownState(code: string): KnownState | undefined {
  return KNOWN_STATES.get(code);
}

export function isKnownStateCode(code: string): boolean {
  return KNOWN_STATES.has(code);
}

/** Every known code, current and former, in alphabetical order. */
export function knownStateCodes(): readonly string[] {
  return KNOWN_CODES;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length++;
  return length;
}

/**
 * The known codes nearest to an unknown one, for the error that refuses it: by edit distance; among
 * codes as near, those that keep more of its first letters (a slip is likelier at the end: SUM
 * names SUN and SUR before GUM), then alphabetically so the answer is stable. Case is ignored.
 */
export function closestStateCodes(code: string, count = 5): KnownState[] {
  const wanted = code.toUpperCase();
  return KNOWN_CODES.map((known) => ({
    known,
    distance: editDistance(wanted, known),
    prefix: commonPrefixLength(wanted, known),
  }))
    .sort((a, b) => a.distance - b.distance || b.prefix - a.prefix || a.known.localeCompare(b.known))
    .slice(0, count)
    .map(({ known }) => KNOWN_STATES.get(known) as KnownState);
}

/** The sentence a refusal gives for an unknown code: what the rule is and the nearest codes. */
export function unknownStateCodeMessage(code: string): string {
  const closest = closestStateCodes(code)
    .map((state) => `${state.code} (${state.name}${state.former ? ', former' : ''})`)
    .join(', ');
  return `${code} is not an ISO 3166-1 alpha-3 code nor a former code of ISO 3166-3; closest known codes: ${closest}`;
}
