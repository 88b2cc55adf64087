// Test support (excluded from the build): generated process histories for property tests, with
// what each fact needs recorded first, so that a test can record them chronologically and in any
// order that respects those needs (the process's recording-order property).
import fc from 'fast-check';
import type { ProcessCommand } from '../process/process.schemas';
import { recordingOrder } from './agreement-histories';

const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };
const IRN = { id: 'IRN', name: 'Iran' };
const UN = { id: 'igo:un', name: 'United Nations' };
const GOV = { id: 'gov:syrian-government', name: 'Syrian government delegation' };
const PARTICIPANTS = [RUS, TUR, IRN];

export interface PlannedProcessFact {
  command: ProcessCommand;
  /** Indexes of the facts this one needs recorded first. */
  needs: number[];
}

export type RoundFate = 'scheduled' | 'convened' | 'concluded' | 'cancelled';

export interface ProcessHistoryShape {
  withdrawals: boolean[];
  rounds: Array<{ postponed: boolean; fate: RoundFate }>;
  workingGroup: 'none' | 'formed' | 'dissolved';
  document: 'none' | 'tabled' | 'adopted';
  statement: boolean;
  closed: boolean;
  gaps: number[];
}

/** What a generated history holds: which facts happen, and the days between consecutive facts. */
export const processHistoryShapes: fc.Arbitrary<ProcessHistoryShape> = fc.record({
  withdrawals: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  rounds: fc.array(
    fc.record({ postponed: fc.boolean(), fate: fc.constantFrom<RoundFate>('scheduled', 'convened', 'concluded', 'cancelled') }),
    { minLength: 1, maxLength: 3 },
  ),
  workingGroup: fc.constantFrom('none' as const, 'formed' as const, 'dissolved' as const),
  document: fc.constantFrom('none' as const, 'tabled' as const, 'adopted' as const),
  statement: fc.boolean(),
  closed: fc.boolean(),
  gaps: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 30, maxLength: 30 }),
});

const DAY_MS = 86_400_000;
const dayText = (millis: number) => new Date(millis).toISOString().slice(0, 10);

/**
 * The facts of a history in chronological order (each on its own day), with what each needs. A
 * round's window opens the day after it is announced, so it is never over before the announcement
 * and a later postponement always moves it later. Rounds are interleaved: all are scheduled first.
 */
export function planProcessHistory(shape: ProcessHistoryShape): PlannedProcessFact[] {
  const facts: PlannedProcessFact[] = [];
  let day = Date.parse('2017-01-01T00:00:00Z');
  // data may depend on the fact's own day (a window opens days after its announcement).
  type Data = Record<string, unknown> | ((daysAfter: (days: number) => string) => Record<string, unknown>);
  const add = (type: ProcessCommand['type'], data: Data, needs: number[] = []): number => {
    day += (shape.gaps[facts.length % shape.gaps.length] ?? 1) * DAY_MS;
    const occurredAt = dayText(day);
    const at = day;
    const resolved = typeof data === 'function' ? data((days) => dayText(at + days * DAY_MS)) : data;
    facts.push({ command: { type, data: resolved, occurredAt } as ProcessCommand, needs: facts.length === 0 ? needs : [0, ...needs] });
    return facts.length - 1;
  };
  add('OpenProcess', { name: 'Astana talks on Syria', hostCountry: 'KAZ' });
  const admitted = PARTICIPANTS.map((actor) => add('AdmitParticipant', { actor, role: 'guarantor' }));
  const scheduled = shape.rounds.map((_, i) =>
    add('ScheduleTalks', (daysAfter) => ({ roundId: `round-${i + 1}`, ordinal: i + 1, venue: 'Astana', window: daysAfter(1) })),
  );
  shape.rounds.forEach((round, i) => {
    const roundId = `round-${i + 1}`;
    if (round.postponed) add('PostponeTalks', (daysAfter) => ({ roundId, newWindow: daysAfter(2) }), [scheduled[i]]);
    if (round.fate === 'cancelled') add('CancelTalks', { roundId, reason: 'security' }, [scheduled[i]]);
    if (round.fate === 'convened' || round.fate === 'concluded') {
      const convened = add('ConveneTalks', { roundId, delegations: [GOV], observers: [UN] }, [scheduled[i]]);
      if (round.fate === 'concluded') add('ConcludeTalks', { roundId, outcome: 'joint statement' }, [convened]);
    }
  });
  shape.withdrawals.forEach((withdraws, i) => {
    if (withdraws) add('RecordParticipantWithdrawal', { actor: PARTICIPANTS[i] }, [admitted[i]]);
  });
  if (shape.workingGroup !== 'none') {
    const members = [RUS, TUR, IRN];
    const formed = add('FormWorkingGroup', { workingGroupId: 'wg-1', name: 'WG', mandate: 'zones', members, agreementIds: [] });
    if (shape.workingGroup === 'dissolved') add('DissolveWorkingGroup', { workingGroupId: 'wg-1' }, [formed]);
  }
  if (shape.document !== 'none') {
    const tabled = add('TableDocument', { documentId: 'doc-1', title: 'Coordination centre', topic: 'monitoring' });
    if (shape.document === 'adopted') add('AdoptDocument', { documentId: 'doc-1' }, [tabled]);
  }
  if (shape.statement) add('IssueStatement', { issuers: [RUS, TUR], kind: 'joint-statement', summary: 'the guarantors met' });
  // The closing needs nothing but the opening: every fact dated before it may be recorded after it.
  if (shape.closed) add('CloseProcess', { reason: 'Geneva took over' });
  return facts;
}

/** The same recording order as the agreement histories': of the facts whose needs are recorded, the one with the lowest priority next. */
export const processRecordingOrder: (facts: readonly PlannedProcessFact[], priorities: readonly number[]) => number[] = recordingOrder;
