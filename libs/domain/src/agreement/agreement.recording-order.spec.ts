import fc from 'fast-check';
import type { EventEnvelope } from '../shared/decider';
import { loadStream } from '../shared/load-stream';
import {
  chronologicalOrder,
  historyShapes,
  planHistory,
  type PlannedFact,
  recordingOrder,
  recordingPriorities,
} from '../testing/agreement-histories';
import { eventIdOf, recordedAtOf } from '../testing/given-when-then';
import { agreementDecider } from './agreement.decider';

/**
 * Property: for generated agreement histories, recording the facts in any order that respects
 * what each fact needs (drafted before adopted or signed, concluded before it ends, a provision
 * added before it is assessed, a withdrawal before the re-joining) is accepted fact by fact and
 * gives the same state, now and asOf every fact's date, as recording them chronologically.
 */

const STREAM_ID = 'agreement-generated';

/** Records the facts in the order given through decide (each fact keeps its own event id, whatever its place). */
function recordInOrder(facts: PlannedFact[], order: number[]): EventEnvelope[] {
  let stream = loadStream(agreementDecider, [] as EventEnvelope[]);
  for (const index of order) {
    const { command } = facts[index];
    for (const event of agreementDecider.decide(command, stream)) {
      const revision = stream.recorded.length;
      const envelope: EventEnvelope = {
        eventId: eventIdOf(index + 1),
        type: event.type,
        data: event.data,
        occurredAt: command.occurredAt,
        recordedAt: recordedAtOf(revision),
        revision,
        streamId: STREAM_ID,
      };
      stream = agreementDecider.load([envelope], stream);
    }
  }
  return [...stream.recorded];
}

describe('recording order (property)', () => {
  it('every recording order that respects what each fact needs gives the chronological state, now and asOf every fact date', () => {
    fc.assert(
      fc.property(historyShapes, recordingPriorities, (shape, priorities) => {
        const facts = planHistory(shape);
        const chronological = recordInOrder(facts, chronologicalOrder(facts));
        const shuffled = recordInOrder(facts, recordingOrder(facts, priorities));
        expect(loadStream(agreementDecider, shuffled).state.agreement).toEqual(loadStream(agreementDecider, chronological).state.agreement);
        for (const { command } of facts) {
          const asOf = { asOf: command.occurredAt };
          expect(loadStream(agreementDecider, shuffled, asOf).state.agreement).toEqual(loadStream(agreementDecider, chronological, asOf).state.agreement);
        }
      }),
      { numRuns: 150 },
    );
  });
});
