import fc from 'fast-check';
import { agreementDecider } from '../agreement/agreement.decider';
import type { EventEnvelope } from './decider';
import { loadStream } from './load-stream';
import { advanceResumable, loadResumable, type ResumableStream } from './resumable-fold';
import { historyShapes, planHistory, type PlannedFact, recordingOrder, recordingPriorities } from '../testing/agreement-histories';
import { eventIdOf, type Fact, recordedAtOf, toEnvelopes } from '../testing/given-when-then';

const STREAM_ID = 'agreement-generated';
const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };

/** Records the facts in the order given through decide (each fact keeps its own event id, whatever its place). */
function recordInOrder(facts: PlannedFact[], order: number[]): EventEnvelope[] {
  let stream = loadStream(agreementDecider, [] as EventEnvelope[]);
  for (const index of order) {
    for (const event of agreementDecider.decide(facts[index].command, stream)) {
      const revision = stream.recorded.length;
      const envelope: EventEnvelope = {
        eventId: eventIdOf(index + 1),
        type: event.type,
        data: event.data,
        occurredAt: facts[index].command.occurredAt,
        recordedAt: recordedAtOf(revision),
        revision,
        streamId: STREAM_ID,
      };
      stream = agreementDecider.load([envelope], stream);
    }
  }
  return [...stream.recorded];
}

/** Advances a resumable fold by the slices between the cuts, checking it against loadStream after each. */
function advanceInSlices(recorded: readonly EventEnvelope[], cuts: number[]): ResumableStream<ReturnType<typeof loadStream>['state']> {
  const ends = [...new Set(cuts.map((cut) => cut % (recorded.length + 1)))].sort((a, b) => a - b).concat(recorded.length);
  let stream = loadResumable(agreementDecider, recorded.slice(0, 0));
  let done = 0;
  for (const end of ends) {
    stream = advanceResumable(agreementDecider, stream, recorded.slice(done, end));
    done = end;
    expect(stream.loaded).toEqual(loadStream(agreementDecider, recorded.slice(0, done)));
  }
  return stream;
}

describe('a resumable fold', () => {
  it('advanced by slices of any size is loadStream of every event so far, facts recorded in any order (property)', () => {
    fc.assert(
      fc.property(historyShapes, recordingPriorities, fc.array(fc.nat(60), { maxLength: 8 }), (shape, priorities, cuts) => {
        const facts = planHistory(shape);
        advanceInSlices(recordInOrder(facts, recordingOrder(facts, priorities)), cuts);
      }),
      { numRuns: 150 },
    );
  });

  it('refolds from the start on a correction or a retraction, and resumes afterwards', () => {
    const facts: Fact[] = [
      { type: 'AgreementDrafted', data: { title: 'Memo', kind: 'memorandum', parties: [RUS, TUR] }, occurredAt: '2017-05' },
      ...Array.from({ length: 20 }, (_, n) => ({ type: 'ProvisionAdded', data: { provisionId: `p${n}`, kind: 'zone', title: `P${n}` }, occurredAt: `2017-05-${String(28 - n).padStart(2, '0')}` })),
      { type: 'MemorandumSigned', data: { signatories: [RUS, TUR], place: 'Astana' }, occurredAt: '2017-05-04' },
      { type: 'AgreementEnteredIntoForce', data: {}, occurredAt: '2017-06-06' },
      { type: 'EventCorrected', data: { targetEventId: eventIdOf(22), occurredAt: '2017-05-30', reason: 'r' } },
      { type: 'AgreementSuspended', data: { reason: 'offensive' }, occurredAt: '2017-09' },
      { type: 'EventRetracted', data: { targetEventId: eventIdOf(25), reason: 'did not happen' } },
      { type: 'ProvisionAdded', data: { provisionId: 'idlib', kind: 'zone', title: 'Idlib' }, occurredAt: '2017-05-02' },
    ];
    const recorded = toEnvelopes(facts, STREAM_ID);
    for (const cuts of [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26], [10, 23], [0]]) {
      advanceInSlices(recorded, cuts);
    }
  });

  it('leaves the stream it advanced as it was (cached streams are shared)', () => {
    const facts = planHistory({ adopted: false, provisions: 3, assessed: [true, false, true], endorsed: true, rejected: false, ratified: true, accession: false, inForce: true, breach: false, suspended: true, withdrawal: false, reAccession: false, ending: 'none', dispute: false, disputeWithdrawn: false, gaps: [3, 5, 7, 11, 13, 17, 19, 23, 29, 31] });
    const recorded = recordInOrder(facts, facts.map((_, i) => i));
    const half = loadResumable(agreementDecider, recorded.slice(0, Math.floor(recorded.length / 2)));
    const copy = JSON.parse(JSON.stringify(half));
    advanceResumable(agreementDecider, half, recorded.slice(Math.floor(recorded.length / 2)).reverse().map((event, i) => ({ ...event, revision: half.loaded.recorded.length + i })));
    expect(JSON.parse(JSON.stringify(half))).toEqual(copy);
  });
});
