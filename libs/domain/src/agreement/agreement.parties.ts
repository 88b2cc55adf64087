import { type Actor, actorMatches } from '../shared/identifiers';
import { BOUND_PARTY_STATUSES, type PartyStatus } from './agreement.schemas';

/** One interval of a party's status: from the event that set it (business time as written) to the next one (null while it lasts). */
export interface PartyStatusInterval {
  status: PartyStatus;
  from: string;
  to: string | null;
  eventId: string;
}

/** Business times below are kept as written; parse them with parseBusinessTime for earliest/latest. */
export interface Party {
  id: string;
  name: string;
  /** A group acting as one: its members (matched by party filters and per-party answers). */
  members?: Array<{ id: string; name: string }>;
  status: PartyStatus;
  /** Named when the agreement was drafted (false: it became a party by adopting, signing, acceding or rejecting). */
  drafted: boolean;
  adoptedAt?: string;
  signedAt?: string;
  ratifiedAt?: string;
  accededAt?: string;
  rejectedAt?: string;
  withdrawnAt?: string;
  /** Each status the party had, in business order, the last one open. */
  statusHistory: PartyStatusInterval[];
}

/** The business-time field each status stamps on the party (pending stamps none). */
const STAMPED: Partial<Record<PartyStatus, keyof Party>> = {
  adopted: 'adoptedAt',
  signed: 'signedAt',
  ratified: 'ratifiedAt',
  acceded: 'accededAt',
  rejected: 'rejectedAt',
  withdrawn: 'withdrawnAt',
};

export function isBound(status: PartyStatus): boolean {
  return BOUND_PARTY_STATUSES.includes(status);
}

export function newParty(actor: Actor, drafted: boolean, status: PartyStatus, at: string, eventId: string): Party {
  const party: Party = { id: actor.id, name: actor.name, status, drafted, statusHistory: [{ status, from: at, to: null, eventId }] };
  if (actor.members !== undefined) party.members = actor.members.map((member) => ({ ...member }));
  const stamp = STAMPED[status];
  return stamp ? { ...party, [stamp]: at } : party;
}

/** The party with a new status from `at` on: its open interval closes there (a status it already has changes nothing). */
export function withPartyStatus(party: Party, status: PartyStatus, at: string, eventId: string): Party {
  if (party.status === status) return party;
  const history = party.statusHistory.map((interval, i) =>
    i === party.statusHistory.length - 1 ? { ...interval, to: at } : interval,
  );
  const changed: Party = { ...party, status, statusHistory: [...history, { status, from: at, to: null, eventId }] };
  const stamp = STAMPED[status];
  return stamp ? { ...changed, [stamp]: at } : changed;
}

/** The parties with `actor`'s status set (the actor becomes a party when it was not one). */
export function settingPartyStatus(parties: Party[], actor: Actor, status: PartyStatus, at: string, eventId: string): Party[] {
  const index = parties.findIndex((party) => party.id === actor.id);
  if (index < 0) return [...parties, newParty(actor, false, status, at, eventId)];
  return parties.map((party, i) => (i === index ? withPartyStatus(party, status, at, eventId) : party));
}

/** The parties a party id names: the party itself, and every group party with it among its members. */
export function partiesMatching(parties: readonly Party[], partyId: string): Party[] {
  return parties.filter((party) => actorMatches(party, partyId));
}

/**
 * Whether the agreement binds the party (or a group it is a member of) in the state given:
 * adopted, signed, ratified or acceded, and not withdrawn since.
 */
export function isBoundParty(parties: readonly Party[], partyId: string): boolean {
  return partiesMatching(parties, partyId).some((party) => isBound(party.status));
}
