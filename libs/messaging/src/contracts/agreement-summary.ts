import type { AgreementView } from '@agreements/domain';
import type { Position } from '@agreements/event-store';
import { CONTENT_TYPE_HEADER, JSON_CONTENT_TYPE, type OutgoingMessage } from './cloud-events';

/**
 * The value of `agreements.status.v1`: the agreement now, with the same field values as
 * `GET /v1/agreements/{id}` (both are agreementView of the stream folded by the domain decider),
 * plus the global position of the last event folded.
 */
export interface AgreementSummary {
  id: string;
  title: string;
  kind: AgreementView['kind'];
  status: AgreementView['status'];
  /** v2: when the text was adopted without signatures, else null. */
  adoptedAt: AgreementView['adoptedAt'];
  /** True once a party rejected it, and while a dispute is open. */
  contested: boolean;
  /** v2: the open claims of parties against the recorded status (why it is contested, if a dispute). */
  disputes: AgreementView['disputes'];
  /** v2: endorsements by third bodies (never a change of status). */
  endorsements: AgreementView['endorsements'];
  /**
   * Each party's status now, a group with its members; the view's status history stays out of
   * the topic (it is on the events topic, and a summary is the state now).
   */
  parties: Array<Pick<AgreementView['parties'][number], 'id' | 'name' | 'status' | 'members'>>;
  /** With countedFrom (and from) beside a duration. */
  term: AgreementView['term'];
  /** The stream revision of the last event folded: consumers keep the summary with the highest. */
  revision: number;
  position: Position;
}

export function agreementSummary(view: AgreementView, position: Position): AgreementSummary {
  return {
    id: view.agreementId,
    title: view.title,
    kind: view.kind,
    status: view.status,
    adoptedAt: view.adoptedAt,
    contested: view.contested,
    disputes: view.disputes,
    endorsements: view.endorsements,
    parties: view.parties.map(({ id, name, status, members }) => ({ id, name, status, ...(members !== undefined ? { members } : {}) })),
    term: view.term,
    revision: view.revision,
    position,
  };
}

/** The message for the status topic; a tombstone (null value) when the agreement does not exist (its drafting was retracted). */
export function statusMessage(agreementId: string, summary: AgreementSummary | null): OutgoingMessage {
  return {
    key: agreementId,
    value: summary === null ? null : JSON.stringify(summary),
    headers: { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE },
  };
}
