// Test support (excluded from the build): generated agreement histories for property tests, with
// what each fact needs recorded first, so that a test can record them chronologically and in any
// order that respects those needs (the domain's recording-order property, and the same property
// through the command path into both read-model backends).
import fc from 'fast-check';
import type { AgreementCommand } from '../agreement/agreement.schemas';

const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };
const IRN = { id: 'IRN', name: 'Iran' };
const CHN = { id: 'CHN', name: 'China' };
const OPPOSITION = { id: 'group:opposition', name: 'Opposition' };

export interface PlannedFact {
  command: AgreementCommand;
  /** Indexes of the facts this one needs recorded first. */
  needs: number[];
}

export interface HistoryShape {
  adopted: boolean;
  provisions: number;
  assessed: boolean[];
  endorsed: boolean;
  rejected: boolean;
  ratified: boolean;
  accession: boolean;
  inForce: boolean;
  breach: boolean;
  suspended: boolean;
  withdrawal: boolean;
  reAccession: boolean;
  ending: 'none' | 'terminated' | 'superseded';
  dispute: boolean;
  disputeWithdrawn: boolean;
  gaps: number[];
}

/** What a generated history holds: which facts happen, and the days between consecutive facts. */
export const historyShapes: fc.Arbitrary<HistoryShape> = fc.record({
  adopted: fc.boolean(),
  provisions: fc.integer({ min: 0, max: 2 }),
  assessed: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  endorsed: fc.boolean(),
  rejected: fc.boolean(),
  ratified: fc.boolean(),
  accession: fc.boolean(),
  inForce: fc.boolean(),
  breach: fc.boolean(),
  suspended: fc.boolean(),
  withdrawal: fc.boolean(),
  reAccession: fc.boolean(),
  ending: fc.constantFrom('none' as const, 'terminated' as const, 'superseded' as const),
  dispute: fc.boolean(),
  disputeWithdrawn: fc.boolean(),
  gaps: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 30, maxLength: 30 }),
});

/** The facts of a history in chronological order (each on its own day), with what each needs. */
export function planHistory(shape: HistoryShape): PlannedFact[] {
  const facts: PlannedFact[] = [];
  let day = Date.UTC(2014, 0, 1);
  const add = (type: AgreementCommand['type'], data: Record<string, unknown>, needs: number[] = []): number => {
    day += shape.gaps[facts.length % shape.gaps.length] * 86_400_000;
    const occurredAt = new Date(day).toISOString().slice(0, 10);
    facts.push({ command: { type, data, occurredAt } as AgreementCommand, needs: facts.length === 0 ? needs : [0, ...needs] });
    return facts.length - 1;
  };
  add('DraftAgreement', { title: 'Generated', kind: 'framework', parties: [RUS, TUR, IRN] });
  const provisions = Array.from({ length: shape.provisions }, (_, i) => add('AddProvision', { provisionId: `zone-${i}`, kind: 'zone', title: `Zone ${i}` }));
  const bindingOf = new Map<string, number>();
  const concluded: number[] = [];
  if (shape.adopted) {
    const adoption = add('AdoptAgreement', { adoptedBy: [RUS, TUR, IRN], method: 'consensus' });
    concluded.push(adoption);
    for (const party of [RUS, TUR, IRN]) bindingOf.set(party.id, adoption);
  } else {
    const first = add('SignAgreement', { signatories: [RUS, TUR] });
    concluded.push(first);
    bindingOf.set('RUS', first);
    bindingOf.set('TUR', first);
    bindingOf.set('IRN', add('SignAgreement', { signatories: [IRN] }));
  }
  if (shape.endorsed) add('EndorseAgreement', { by: { id: 'igo:unsc', name: 'UNSC' }, instrument: 'Resolution 1' });
  if (shape.rejected) add('RecordRejection', { party: OPPOSITION });
  if (shape.ratified) add('RatifyAgreement', { party: RUS }, [bindingOf.get('RUS') as number]);
  if (shape.accession) add('RecordAccession', { party: CHN }, concluded);
  const inForce = shape.inForce ? add('BringIntoForce', {}, concluded) : undefined;
  provisions.forEach((provision, i) => {
    if (shape.assessed[i]) add('AssessProvision', { provisionId: `zone-${i}`, status: 'operating', level: 2 }, [provision]);
  });
  if (shape.breach) add('ReportBreach', { allegedBy: TUR, description: 'shelling', ...(provisions.length > 0 ? { provisionId: 'zone-0' } : {}) }, [...concluded, ...provisions.slice(0, 1)]);
  if (shape.suspended && inForce !== undefined) {
    const suspension = add('SuspendAgreement', { reason: 'offensive' }, [inForce]);
    add('ResumeAgreement', {}, [suspension]);
  }
  if (shape.withdrawal) {
    const withdrawal = add('RecordWithdrawal', { party: TUR }, [bindingOf.get('TUR') as number]);
    if (shape.reAccession) add('RecordAccession', { party: TUR }, [withdrawal, ...concluded]);
  }
  if (shape.ending === 'terminated') add('TerminateAgreement', { reason: 'collapsed' }, concluded);
  if (shape.ending === 'superseded') add('SupersedeAgreement', { byAgreementId: 'successor' }, concluded);
  if (shape.dispute) {
    const dispute = add('DisputeStatus', { party: IRN, claim: 'in-force' });
    if (shape.disputeWithdrawn) add('WithdrawDispute', { party: IRN }, [dispute]);
  }
  return facts;
}

/** A recording order that respects what each fact needs: of the facts whose needs are recorded, the one with the lowest priority next. */
export function recordingOrder(facts: readonly { needs: readonly number[] }[], priorities: readonly number[]): number[] {
  const recorded = new Set<number>();
  const order: number[] = [];
  while (order.length < facts.length) {
    let next = -1;
    facts.forEach((fact, i) => {
      if (recorded.has(i) || !fact.needs.every((need) => recorded.has(need))) return;
      if (next < 0 || priorities[i % priorities.length] < priorities[next % priorities.length]) next = i;
    });
    recorded.add(next);
    order.push(next);
  }
  return order;
}

/** Priorities that pick a recording order (see recordingOrder). */
export const recordingPriorities: fc.Arbitrary<number[]> = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 40, maxLength: 40 });

/** The chronological order: the facts as planned. */
export function chronologicalOrder(facts: readonly PlannedFact[]): number[] {
  return facts.map((_, i) => i);
}
