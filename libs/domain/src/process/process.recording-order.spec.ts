import fc from 'fast-check';
import type { EventEnvelope } from '../shared/decider';
import { loadStream } from '../shared/load-stream';
import { eventIdOf, recordedAtOf } from '../testing/given-when-then';
import { type PlannedProcessFact, planProcessHistory, processHistoryShapes, processRecordingOrder } from '../testing/process-histories';
import { processDecider } from './process.decider';

/**
 * Property: for generated process histories, recording the facts in any order that respects what
 * each fact needs (opened first, a round scheduled before it is postponed, convened or cancelled,
 * convened before it concludes, admitted before withdrawing, a group formed before it is
 * dissolved, a document tabled before it is adopted; the closing needs only the opening) is
 * accepted fact by fact and gives the same process, now and asOf every fact's date, as recording
 * them chronologically.
 */

const STREAM_ID = 'process-generated';

/** Records the facts in the order given through decide (each fact keeps its own event id, whatever its place). */
function recordInOrder(facts: readonly PlannedProcessFact[], order: readonly number[]): EventEnvelope[] {
  let stream = loadStream(processDecider, [] as EventEnvelope[]);
  for (const index of order) {
    const { command } = facts[index];
    for (const event of processDecider.decide(command, stream)) {
      const revision = stream.recorded.length;
      const envelope: EventEnvelope = {
        eventId: eventIdOf(index + 1),
        type: event.type,
        data: event.data as Record<string, unknown>,
        occurredAt: command.occurredAt,
        recordedAt: recordedAtOf(revision),
        revision,
        streamId: STREAM_ID,
      };
      stream = processDecider.load([envelope], stream);
    }
  }
  return [...stream.recorded];
}

const priorities = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 30, maxLength: 30 });

describe('process recording order (property)', () => {
  it('every recording order that respects what each fact needs gives the chronological process, now and asOf every fact date', () => {
    fc.assert(
      fc.property(processHistoryShapes, priorities, (shape, order) => {
        const facts = planProcessHistory(shape);
        const chronological = recordInOrder(facts, facts.map((_, i) => i));
        const shuffled = recordInOrder(facts, processRecordingOrder(facts, order));
        expect(loadStream(processDecider, shuffled).state.process).toEqual(loadStream(processDecider, chronological).state.process);
        for (const { command } of facts) {
          const asOf = { asOf: command.occurredAt };
          expect(loadStream(processDecider, shuffled, asOf).state.process).toEqual(loadStream(processDecider, chronological, asOf).state.process);
        }
      }),
      { numRuns: 150 },
    );
  });
});
