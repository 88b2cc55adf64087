import { DomainError } from '../shared/domain-error';
import type { AgreementCommand } from './agreement.schemas';
import type { Agreement } from './agreement.state';

/**
 * A command judged in business time is refused for what was not yet so at its date; when the
 * stream shows it became so later (the signature is dated after the entry into force being
 * recorded), the refusal says that instead: the operator most likely has a date wrong.
 */
export function explainedTooEarly(error: unknown, command: AgreementCommand, latest: Agreement): unknown {
  if (!(error instanceof DomainError)) return error;
  if (command.type === 'BringIntoForce' && error.code === 'AGREEMENT_NOT_SIGNED') {
    const concludedAt = latest.signedAt ?? latest.adoptedAt;
    if (concludedAt !== null) {
      return new DomainError(
        'IN_FORCE_BEFORE_SIGNATURE',
        `The agreement cannot enter into force (${command.occurredAt}) before it was signed or adopted (${concludedAt})`,
        { signedAt: concludedAt },
      );
    }
  }
  if (command.type === 'RatifyAgreement' && error.code === 'PARTY_NOT_SIGNED') {
    const party = latest.parties.find((p) => p.id === command.data.party.id);
    const signedAt = party?.signedAt ?? party?.adoptedAt;
    if (signedAt !== undefined) {
      return new DomainError(
        'RATIFIED_BEFORE_SIGNED',
        `${command.data.party.id} cannot ratify (${command.occurredAt}) before it signed (${signedAt})`,
        { party: command.data.party.id, signedAt },
      );
    }
  }
  return error;
}
