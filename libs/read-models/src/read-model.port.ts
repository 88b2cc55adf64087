/**
 * What the API asks the read models. The projector keeps them up to date from the event store's
 * global order; the API never folds the event store itself for these answers.
 *
 * Views are plain JSON in the HTTP contract's field names (../http-api.md in the repo docs).
 */

export interface TimeQuery {
  /** Business time, any format occurredAt takes; means the end of the period it names. */
  asOf?: string;
  /** Recorded time (RFC 3339): only what had been recorded by then. */
  knownAt?: string;
}

/**
 * Without asOf / knownAt the filters read the current rows; with them, the agreement as it stood
 * asOf, as known at knownAt (each filter applies at that time).
 */
export interface AgreementFilter extends TimeQuery {
  status?: string;
  /** A party: itself, or a group whose members include it. */
  party?: string;
  /** A party bound (adopted, signed, ratified or acceded, not withdrawn since), itself or through a group. */
  boundParty?: string;
  processId?: string;
  kind?: string;
  /** Business time: agreements whose status was in-force at the end of that period (with boundParty: in force for that party). */
  inForceOn?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type View = Record<string, unknown>;

export interface ReadModelQueries {
  /** undefined when the agreement does not exist (or not yet on that time axis). */
  getAgreement(agreementId: string, time: TimeQuery): Promise<View | undefined>;
  getAgreementTimeline(agreementId: string, time: TimeQuery): Promise<View | undefined>;
  listAgreements(filter: AgreementFilter, page: PageRequest): Promise<Page<View>>;
  getProcess(processId: string, time: TimeQuery): Promise<View | undefined>;
  listProcesses(page: PageRequest): Promise<Page<View>>;
  /** The last global position the read models have applied, undefined before the first. */
  checkpoint(): Promise<string | undefined>;
}

/** A cursor the client passed back is not one we made. */
export class InvalidCursorError extends Error {}
