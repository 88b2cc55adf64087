import {
  type Agreement,
  agreementDecider,
  type EventEnvelope,
  type Process,
  processDecider,
} from '@agreements/domain';

/**
 * One effective (already corrected, never a correction) event applied with the domain's own
 * evolve, so the read models and the deciders share one definition of every status.
 *
 * The domain's state also carries the stream's whole history (a correction re-derives the state
 * from it); the read models apply corrections themselves (applyCorrections) and only ever hand
 * evolve effective events, so the history is left empty here: it would cost memory per cached
 * stream and a copy per event for nothing.
 */
export function applyAgreementEvent(agreement: Agreement | null, event: EventEnvelope): Agreement | null {
  return agreementDecider.evolve({ revision: event.revision - 1, history: [], agreement }, event).agreement;
}

export function applyProcessEvent(process: Process | null, event: EventEnvelope): Process | null {
  return processDecider.evolve({ revision: event.revision - 1, history: [], process }, event).process;
}

export function foldAgreementEvents(effective: readonly EventEnvelope[]): Agreement | null {
  let agreement: Agreement | null = null;
  for (const event of effective) agreement = applyAgreementEvent(agreement, event);
  return agreement;
}

export function foldProcessEvents(effective: readonly EventEnvelope[]): Process | null {
  let process: Process | null = null;
  for (const event of effective) process = applyProcessEvent(process, event);
  return process;
}
