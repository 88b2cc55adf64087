/**
 * The causal rank of the agreement's events: on the same business instant (a signature and the
 * entry into force both dated 2017-05-04), the order in which they can have happened. Ties
 * between equal ranks keep their recording order (revision).
 */
const RANKS: Readonly<Record<string, number>> = {
  AgreementDrafted: 0,
  // Provisions are part of the text: known from the drafting on.
  ProvisionAdded: 1,
  AgreementAdopted: 2,
  MemorandumSigned: 3,
  AgreementSigned: 3,
  // Neither a signature nor a rejection needs the other: on the same day, the recording order decides.
  PartyRejected: 3,
  AgreementRatified: 4,
  PartyAcceded: 4,
  AgreementEnteredIntoForce: 5,
  TermSet: 6,
  TermExtended: 7,
  AgreementEndorsed: 7,
  ProvisionAssessed: 8,
  BreachReported: 8,
  PartyWithdrew: 9,
  AgreementSuspended: 10,
  AgreementResumed: 11,
  StatusDisputed: 12,
  DisputeWithdrawn: 13,
  AgreementExpired: 14,
  AgreementTerminated: 14,
  AgreementSuperseded: 14,
};
const UNKNOWN_RANK = 100;

export function agreementCausalRank(type: string): number {
  return RANKS[type] ?? UNKNOWN_RANK;
}
