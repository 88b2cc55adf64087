/**
 * The causal rank of the process's events: on the same business instant (a round scheduled and
 * convened both dated 2017-01-23), the order in which they can have happened. Ties between equal
 * ranks keep their recording order (revision).
 */
const RANKS: Readonly<Record<string, number>> = {
  ProcessOpened: 0,
  ParticipantAdmitted: 1,
  TalksScheduled: 2,
  TalksPostponed: 3,
  TalksConvened: 4,
  // A round ends by concluding or by being cancelled, never both: equal rank.
  TalksConcluded: 5,
  TalksCancelled: 5,
  WorkingGroupFormed: 6,
  WorkingGroupDissolved: 7,
  DocumentTabled: 8,
  DocumentAdopted: 9,
  StatementIssued: 10,
  // A participant leaves after what it took part in that day.
  ParticipantWithdrew: 11,
  ProcessClosed: 12,
};
const UNKNOWN_RANK = 100;

export function processCausalRank(type: string): number {
  return RANKS[type] ?? UNKNOWN_RANK;
}
