import { DomainError } from '../shared/domain-error';
import type { ProcessCommand } from './process.schemas';
import type { Process } from './process.state';

/**
 * A command judged in business time is refused for what was not yet so at its date; when the
 * stream shows it became so later (a conclusion dated before the convening being recorded), the
 * refusal says that instead: the operator most likely has a date wrong.
 */
export function explainedTooEarly(error: unknown, command: ProcessCommand, latest: Process): unknown {
  if (!(error instanceof DomainError)) return error;
  if (command.type === 'ConcludeTalks' && error.code === 'ROUND_NOT_CONVENED') {
    const heldFrom = latest.rounds.find((round) => round.roundId === command.data.roundId)?.heldFrom ?? null;
    if (heldFrom !== null) {
      return new DomainError(
        'CONCLUDED_BEFORE_CONVENED',
        `Round ${command.data.roundId} convened ${heldFrom}: it cannot conclude before (${command.occurredAt})`,
        { roundId: command.data.roundId, heldFrom },
      );
    }
  }
  return error;
}
