import { applyCorrections } from '../shared/corrections';
import type { EventEnvelope } from '../shared/decider';
import { loadStream } from '../shared/load-stream';
import { eventIdOf, recordedAtOf } from '../testing/given-when-then';
import { agreementDecider } from './agreement.decider';
import { termEndsAt } from './agreement.state';
import { agreementUpcasters, termSetV1ToV2 } from './agreement.upcasters';

const RUS = { id: 'RUS', name: 'Russia' };

/** Stored events, each with the schema version it was stored in. */
function stored(events: Array<{ type: string; data: Record<string, unknown>; occurredAt: string; schemaVersion?: number }>): EventEnvelope[] {
  return events.map((event, revision) => ({
    eventId: eventIdOf(revision + 1),
    type: event.type,
    data: event.data,
    occurredAt: event.occurredAt,
    recordedAt: recordedAtOf(revision),
    revision,
    streamId: 'agreement-fixture',
    schemaVersion: event.schemaVersion ?? 1,
  }));
}

const drafted = { type: 'AgreementDrafted', data: { title: 'A', kind: 'framework', parties: [RUS] }, occurredAt: '2015-01' };
const signed = { type: 'AgreementSigned', data: { signatories: [RUS] }, occurredAt: '2015-01-10' };
const inForce = { type: 'AgreementEnteredIntoForce', data: {}, occurredAt: '2015-02-01' };
const corrected = (target: number, data: Record<string, unknown>) => ({
  type: 'EventCorrected',
  data: { targetEventId: eventIdOf(target), data, reason: 'fixed' },
  occurredAt: '2016',
});

describe('TermSet v1 -> v2 upcaster', () => {
  it('given a v1 duration, then v2 says it counts from entry into force', () => {
    expect(termSetV1ToV2({ duration: 'P6M', renewal: 'none' })).toEqual({ duration: 'P6M', countedFrom: 'entry-into-force', renewal: 'none' });
  });

  it('given a v1 until, then it is the same in v2', () => {
    const data = { until: '2019', renewal: 'none' };
    expect(termSetV1ToV2(data)).toBe(data);
  });

  it('given v1 data a v2 correction already made explicit, then what was recorded is kept', () => {
    const data = { duration: 'P10Y', countedFrom: 'given-date', from: '2016-01-16', renewal: 'none' };
    expect(termSetV1ToV2(data)).toBe(data);
  });

  it('is the only chain of the agreement stream, at version 2', () => {
    expect(Object.keys(agreementUpcasters)).toEqual(['TermSet']);
    expect(agreementUpcasters.TermSet.current).toBe(2);
  });
});

describe('a stored v1 TermSet keeps its meaning in every fold', () => {
  it('given a v1 duration while only signed, then it counts from the signature; once in force, from entry into force', () => {
    const signedOnly = loadStream(agreementDecider, stored([drafted, signed, { type: 'TermSet', data: { duration: 'P1Y', renewal: 'none' }, occurredAt: '2015-01-10' }]));
    expect(signedOnly.state.agreement?.term).toMatchObject({ duration: 'P1Y', countedFrom: 'entry-into-force' });
    expect(termEndsAt(signedOnly.state.agreement!)).toBe('2016-01-09T23:59:59.999Z');
    const inForceToo = loadStream(agreementDecider, stored([drafted, signed, inForce, { type: 'TermSet', data: { duration: 'P1Y', renewal: 'none' }, occurredAt: '2015-01-10' }]));
    expect(termEndsAt(inForceToo.state.agreement!)).toBe('2016-01-31T23:59:59.999Z');
  });

  it('given a v1 correction that switches a v1 until to a duration, then the corrected term counts from entry into force', () => {
    const events = stored([drafted, signed, inForce, { type: 'TermSet', data: { until: '2019', renewal: 'none' }, occurredAt: '2015-02-01' }, corrected(4, { duration: 'P5Y', until: null })]);
    const { state } = loadStream(agreementDecider, events);
    expect(state.agreement?.term).toMatchObject({ duration: 'P5Y', countedFrom: 'entry-into-force' });
    expect(termEndsAt(state.agreement!)).toBe('2020-01-31T23:59:59.999Z');
  });

  it('given a v1 correction that switches a v1 duration to an until, then the term ends at the until, with nothing left of the duration', () => {
    const events = stored([drafted, signed, { type: 'TermSet', data: { duration: 'P7D', renewal: 'none' }, occurredAt: '2015-01-10' }, corrected(3, { until: '2015-03', duration: null })]);
    const { state } = loadStream(agreementDecider, events);
    expect(state.agreement?.term).toEqual({ until: '2015-03', renewal: 'none', setAt: '2015-01-10', extensions: [] });
    // Corrections are merged in the shape they were stored in; the upcast comes after.
    expect(applyCorrections(events).find((e) => e.type === 'TermSet')?.data).toEqual({ until: '2015-03', renewal: 'none' });
  });

  it('given a v2 correction (made on the upcast term) of a v1 TermSet, then it counts from the date it gives', () => {
    const events = stored([
      drafted,
      signed,
      inForce,
      { type: 'TermSet', data: { duration: 'P10Y', renewal: 'none' }, occurredAt: '2015-02-01' },
      corrected(4, { countedFrom: 'given-date', from: '2016-01-16' }),
    ]);
    const { state } = loadStream(agreementDecider, events);
    expect(termEndsAt(state.agreement!)).toBe('2026-01-15T23:59:59.999Z');
  });
});

describe('SetTerm with from (TermSet v2)', () => {
  const history = stored([drafted, signed, inForce]);
  const decide = (data: Record<string, unknown>, events = history) =>
    agreementDecider.decide({ type: 'SetTerm', data, occurredAt: '2015-07-14' } as never, loadStream(agreementDecider, events));

  it('given from with a duration, when set, then TermSet says it counts from that date and the term ends from there', () => {
    const decided = decide({ duration: 'P10Y', from: '2016-01-16', renewal: 'none' });
    expect(decided).toEqual([{ type: 'TermSet', data: { duration: 'P10Y', countedFrom: 'given-date', from: '2016-01-16', renewal: 'none' } }]);
    const after = loadStream(agreementDecider, [...history, { ...history[0], eventId: eventIdOf(9), revision: 3, type: 'TermSet', data: decided[0].data, occurredAt: '2015-07-14', schemaVersion: 2 }]);
    expect(termEndsAt(after.state.agreement!)).toBe('2026-01-15T23:59:59.999Z');
  });

  it('given from with until, when set, then it is refused as bad input naming data.from', () => {
    expect(() => decide({ until: '2019', from: '2016-01-16', renewal: 'none' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('given a from that is not a business time, when set, then it is refused as bad input', () => {
    expect(() => decide({ duration: 'P1Y', from: 'soon', renewal: 'none' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('given a correction of a v1 TermSet that only changes the renewal, when decided, then it is accepted (judged on the upcast term)', () => {
    const events = stored([drafted, signed, inForce, { type: 'TermSet', data: { duration: 'P1Y', renewal: 'none' }, occurredAt: '2015-02-01' }]);
    const decided = agreementDecider.decide(
      { type: 'RecordCorrection', data: { targetEventId: eventIdOf(4), data: { renewal: 'automatic' }, reason: 'r' }, occurredAt: '2016' } as never,
      loadStream(agreementDecider, events),
    );
    expect(decided.map((e) => e.type)).toEqual(['EventCorrected']);
  });

  it('given a correction that would leave countedFrom without a duration, when decided, then it is refused as CORRECTION_INVALID', () => {
    const events = stored([drafted, signed, inForce, { type: 'TermSet', data: { duration: 'P1Y', renewal: 'none' }, occurredAt: '2015-02-01' }]);
    expect(() =>
      agreementDecider.decide(
        { type: 'RecordCorrection', data: { targetEventId: eventIdOf(4), data: { until: '2019', duration: null }, reason: 'r' }, occurredAt: '2016' } as never,
        loadStream(agreementDecider, events),
      ),
    ).toThrow(expect.objectContaining({ code: 'CORRECTION_INVALID' }));
  });
});
