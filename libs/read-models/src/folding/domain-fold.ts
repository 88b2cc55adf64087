import { type Agreement, agreementDecider, evolveRecorded } from '@agreements/domain';
import type { StoredEvent } from './stored-event';

/**
 * The read models fold with the domain's own evolve (through its loader's step), so they and the
 * deciders share one definition of every status. The agreement's instants keep one agreement per
 * business instant rather than a stream state: this applies one effective (already corrected,
 * never a correction) event to the agreement alone.
 */
export function applyAgreementEvent(agreement: Agreement | null, event: StoredEvent): Agreement | null {
  return evolveRecorded(agreementDecider, { revision: event.revision, agreement }, event).agreement;
}
