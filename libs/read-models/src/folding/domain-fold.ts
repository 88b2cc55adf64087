/**
 * The read models fold effective (already corrected, never a correction) events with the
 * domain's own functions, so the read models and the deciders share one definition of every
 * status. (The deciders' evolve also keeps the stream's history to re-derive the state when a
 * correction arrives; the read models apply corrections themselves with applyCorrections and
 * need no history.)
 */
export {
  applyAgreementEvent,
  applyProcessEvent,
  foldAgreement as foldAgreementEvents,
  foldProcess as foldProcessEvents,
} from '@agreements/domain';
