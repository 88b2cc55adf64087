import { tryParseBusinessTime } from '../shared/business-time';
import { instantMillis } from '../shared/corrections';
import type { EventEnvelope } from '../shared/decider';
import { loadStream } from '../shared/load-stream';
import { agreementDecider } from './agreement.decider';
import { isBoundParty, partiesMatching, type PartyStatusInterval } from './agreement.parties';
import type { Agreement } from './agreement.state';

/**
 * In force for a party: the agreement is in force and binds the party (or a group it is a member
 * of): adopted, signed, ratified or acceded, and not withdrawn since. Give it the agreement as of
 * the day asked (loadStream with asOf).
 */
export function isInForceForParty(agreement: Agreement | null, partyId: string): boolean {
  return agreement !== null && agreement.status === 'in-force' && isBoundParty(agreement.parties, partyId);
}

/** In force for a party on a day (a business time, taken as the end of the period it names), from the stream's recorded events. */
export function isInForceForPartyOn(recorded: readonly EventEnvelope[], partyId: string, day: string): boolean {
  return isInForceForParty(loadStream(agreementDecider, recorded, { asOf: day }).state.agreement, partyId);
}

function startMillis(text: string): number {
  const parsed = tryParseBusinessTime(text);
  return parsed.ok ? Date.parse(parsed.value.earliest) : Number.NaN;
}

/** The party's status interval that holds at an instant or business time (taken as the end of the period it names), if any. */
export function partyStatusAt(history: readonly PartyStatusInterval[], at: string): PartyStatusInterval | undefined {
  const cutoff = instantMillis(at);
  return history.find((interval) => startMillis(interval.from) <= cutoff && (interval.to === null || startMillis(interval.to) > cutoff));
}

/** The statuses a party id held at a time, through the parties it matches (itself and the groups it is a member of). */
export function partyStatusesAt(agreement: Agreement, partyId: string, at: string): PartyStatusInterval[] {
  return partiesMatching(agreement.parties, partyId)
    .map((party) => partyStatusAt(party.statusHistory, at))
    .filter((interval): interval is PartyStatusInterval => interval !== undefined);
}
