import fc from 'fast-check';
import { SqliteEventStore } from '@agreements/event-store';
import { Projector, type ReadModelStore, type View } from '@agreements/read-models';
import {
  chronologicalOrder,
  historyShapes,
  planHistory,
  type PlannedFact,
  recordingOrder,
  recordingPriorities,
} from '../../libs/domain/src/testing/agreement-histories';
import { BACKENDS } from '../../libs/read-models/src/testing/backends';
import { type LiveProjection, startLiveProjection, stopLiveProjection } from '../../libs/read-models/src/testing/live-projection';
import { agreementPath, newCommandId, runCommand } from '../../libs/read-models/src/testing/scenario';

/**
 * Property (issue 10), through the command path into an embedded event store and projected into
 * each read-model backend: for generated histories, recording the facts in a shuffled order that
 * respects what each fact needs gives the same asOf answers (status, parties with their status
 * history, provisions, timeline) at every fact date as recording them chronologically.
 */

const RUNS_PER_BACKEND = 20;

/**
 * What legitimately differs between two recordings of the same facts: revisions, recorded times
 * and event ids (each recording makes its own), and the agreement id (one stream per order).
 */
const RECORDING_KEYS = new Set(['revision', 'recordedAt', 'eventId', 'eventIds', 'agreementId']);

function withoutRecordingDetails(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRecordingDetails);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !RECORDING_KEYS.has(key))
      .map(([key, inner]) => [key, withoutRecordingDetails(inner)]),
  );
}

/** Same-day provisions list in recording order, by design (docs/domain.md): compare them by id. */
function comparableAgreement(view: View | undefined): unknown {
  if (view === undefined) return undefined;
  const provisions = [...(view.provisions as Array<{ provisionId: string }>)].sort((a, b) => a.provisionId.localeCompare(b.provisionId));
  return withoutRecordingDetails({ ...view, provisions });
}

async function record(events: SqliteEventStore, agreementId: string, facts: readonly PlannedFact[], order: readonly number[]): Promise<void> {
  for (const index of order) {
    const { command } = facts[index];
    await runCommand(events, agreementPath(agreementId), {
      type: command.type,
      commandId: newCommandId(),
      occurredAt: command.occurredAt as string,
      data: command.data as Record<string, unknown>,
    });
  }
}

describe.each(BACKENDS)('recording order on the %s read models (property)', (backendName) => {
  let live: LiveProjection;
  let events: SqliteEventStore;
  let store: ReadModelStore;
  let projector: Projector;

  beforeAll(async () => {
    live = await startLiveProjection(backendName, { batchSize: 50 });
    ({ events, store, projector } = live);
  });

  afterAll(() => stopLiveProjection(live));

  it('given generated histories recorded chronologically and in a shuffled order that respects what each fact needs, when projected, then the asOf answers at every fact date are the same', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(historyShapes, recordingPriorities, async (shape, priorities) => {
        run += 1;
        const facts = planHistory(shape);
        const chronological = `history-${run}-chronological`;
        const shuffled = `history-${run}-shuffled`;
        await record(events, chronological, facts, chronologicalOrder(facts));
        await record(events, shuffled, facts, recordingOrder(facts, priorities));
        await projector.waitUntilCaughtUp(20_000);

        const now = await store.queries.getAgreement(chronological, {});
        expect(now).toBeDefined();
        expect(comparableAgreement(await store.queries.getAgreement(shuffled, {}))).toEqual(comparableAgreement(now));
        const dates = [...new Set(facts.map(({ command }) => command.occurredAt as string))];
        for (const asOf of dates) {
          const expected = comparableAgreement(await store.queries.getAgreement(chronological, { asOf }));
          expect({ asOf, view: comparableAgreement(await store.queries.getAgreement(shuffled, { asOf })) }).toEqual({ asOf, view: expected });
          const timeline = withoutRecordingDetails(await store.queries.getAgreementTimeline(chronological, { asOf }));
          expect({ asOf, timeline: withoutRecordingDetails(await store.queries.getAgreementTimeline(shuffled, { asOf })) }).toEqual({ asOf, timeline });
        }
      }),
      // Each run records through the command path and projects: keep CI short, and report the
      // first counterexample as found rather than shrink it through the databases.
      { numRuns: RUNS_PER_BACKEND, endOnFailure: true },
    );
  });
});
