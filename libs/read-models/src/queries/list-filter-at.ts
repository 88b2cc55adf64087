import { type Agreement, agreementDecider, instantMillis, isBoundParty, isInForceForParty, loadStream, partiesMatching } from '@agreements/domain';
import type { StoredEvent } from '../folding/stored-event';
import type { AgreementFilter } from '../read-model.port';
import { type ResolvedTime } from './time-views';

/** The list filters that need the agreement at a time: with asOf / knownAt, or boundParty (which needs per-party statuses). */
export function needsFoldedList(filter: AgreementFilter, time: ResolvedTime): boolean {
  return time.asOf !== null || time.knownAt !== null || filter.boundParty !== undefined;
}

/**
 * The business time inForceOn is judged at: the day it names, but never past asOf (facts after
 * asOf are not in an asOf answer: an agreement in force on asOf stays so on later days).
 */
function inForceJudgedAt(inForceOn: string, time: ResolvedTime): string {
  if (time.asOf === null || time.asOfMs === undefined) return inForceOn;
  return instantMillis(inForceOn) <= time.asOfMs ? inForceOn : time.asOf;
}

function agreementAt(events: readonly StoredEvent[], asOf: string | null, knownAt: string | null): Agreement | null {
  const at = { ...(asOf !== null ? { asOf } : {}), ...(knownAt !== null ? { knownAt } : {}) };
  return loadStream(agreementDecider, events, at).state.agreement;
}

/**
 * Whether an agreement's stream matches the list filters as the agreement stood asOf, as known at
 * knownAt (the same fold, loadStream, as the agreement's own asOf answer):
 * - status, kind, processId: the agreement's values then;
 * - party: a party then, itself or a group whose members include it;
 * - boundParty: bound then (adopted, signed, ratified or acceded, not withdrawn since), itself or
 *   through a group;
 * - inForceOn: in force on that day (as known at knownAt, not past asOf); with boundParty, in force
 *   for that party on that day.
 */
export function matchesListFilterAt(events: readonly StoredEvent[], filter: AgreementFilter, time: ResolvedTime): boolean {
  const agreement = agreementAt(events, time.asOf, time.knownAt);
  if (agreement === null) return false;
  if (filter.status !== undefined && agreement.status !== filter.status) return false;
  if (filter.kind !== undefined && agreement.kind !== filter.kind) return false;
  if (filter.processId !== undefined && agreement.processId !== filter.processId) return false;
  if (filter.party !== undefined && partiesMatching(agreement.parties, filter.party).length === 0) return false;
  if (filter.inForceOn === undefined) {
    return filter.boundParty === undefined || isBoundParty(agreement.parties, filter.boundParty);
  }
  const onDay = agreementAt(events, inForceJudgedAt(filter.inForceOn, time), time.knownAt);
  if (filter.boundParty !== undefined) return isInForceForParty(onDay, filter.boundParty);
  return onDay !== null && onDay.status === 'in-force';
}
