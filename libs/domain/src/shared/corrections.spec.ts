import { toEnvelopes, eventIdOf, recordedAtOf } from '../testing/given-when-then';
import { applyCorrections, effectiveEvents, mergeCorrectedData } from './corrections';
import { toEventEnvelope } from './decider';

// Recorded one minute apart from recordedAtOf(0) = 2017-07-06T12:00:00.000Z.
const stream = () =>
  toEnvelopes([
    { type: 'AgreementDrafted', data: { title: 'Memo', kind: 'memorandum', parties: [] }, occurredAt: '2017-05' },
    {
      type: 'MemorandumSigned',
      data: { signatories: [{ id: 'RUS', name: 'Russia' }], place: 'Astana' },
      occurredAt: '2017-05-04',
    },
    { type: 'AgreementEnteredIntoForce', data: {}, occurredAt: '2017-05-06' },
    {
      type: 'EventCorrected',
      data: {
        targetEventId: eventIdOf(2),
        occurredAt: '2017-05-05',
        data: { place: 'Astana, Kazakhstan' },
        reason: 'r',
      },
    },
    { type: 'EventRetracted', data: { targetEventId: eventIdOf(3), reason: 'did not happen' } },
  ]);

describe('applyCorrections', () => {
  it('drops retracted events and the correction events themselves, and applies corrections in place', () => {
    const effective = applyCorrections(stream());
    expect(effective.map((e) => [e.type, e.revision])).toEqual([
      ['AgreementDrafted', 0],
      ['MemorandumSigned', 1],
    ]);
    expect(effective[1]).toMatchObject({
      occurredAt: '2017-05-05',
      data: { signatories: [{ id: 'RUS', name: 'Russia' }], place: 'Astana, Kazakhstan' },
      correctedBy: [eventIdOf(4)],
    });
  });

  it('leaves the input untouched', () => {
    const events = stream();
    applyCorrections(events);
    expect(events[1].occurredAt).toBe('2017-05-04');
    expect(events[1].data.place).toBe('Astana');
  });

  it('with knownAt, only what had been recorded by then counts: the old belief is shown', () => {
    const events = stream();
    const beforeCorrection = applyCorrections(events, recordedAtOf(2));
    expect(beforeCorrection.map((e) => e.type)).toEqual([
      'AgreementDrafted',
      'MemorandumSigned',
      'AgreementEnteredIntoForce',
    ]);
    expect(beforeCorrection[1].occurredAt).toBe('2017-05-04');
    const afterCorrectionBeforeRetraction = applyCorrections(events, recordedAtOf(3));
    expect(afterCorrectionBeforeRetraction.map((e) => e.type)).toEqual([
      'AgreementDrafted',
      'MemorandumSigned',
      'AgreementEnteredIntoForce',
    ]);
    expect(afterCorrectionBeforeRetraction[1].occurredAt).toBe('2017-05-05');
    expect(applyCorrections(events, '2017-01-01T00:00:00Z')).toEqual([]);
  });

  it('a knownAt written as a date means the end of that day', () => {
    expect(applyCorrections(stream(), '2017-07-06')).toHaveLength(2);
    expect(applyCorrections(stream(), '2017-07-05')).toHaveLength(0);
  });

  it('refuses a knownAt that is not a time', () => {
    expect(() => applyCorrections(stream(), 'yesterday')).toThrow(/not an instant/);
  });

  it('later corrections of the same event apply over earlier ones, in order', () => {
    const events = toEnvelopes([
      { type: 'ProvisionAdded', data: { provisionId: 'idlib', kind: 'zone', title: 'A', area: 'x' } },
      { type: 'EventCorrected', data: { targetEventId: eventIdOf(1), data: { title: 'B' }, reason: 'r' } },
      { type: 'EventCorrected', data: { targetEventId: eventIdOf(1), data: { title: 'C', area: null }, reason: 'r' } },
    ]);
    expect(applyCorrections(events)[0]).toMatchObject({
      data: { provisionId: 'idlib', kind: 'zone', title: 'C' },
      correctedBy: [eventIdOf(2), eventIdOf(3)],
    });
    expect(applyCorrections(events)[0].data).not.toHaveProperty('area');
  });

  it('keeps extra fields of the events it is given', () => {
    const events = stream().map((e, i) => ({ ...e, position: String(100 + i) }));
    expect(applyCorrections(events).map((e) => e.position)).toEqual(['100', '101']);
  });
});

describe('effectiveEvents (asOf / knownAt)', () => {
  it('keeps the events that had taken effect by the end of the asOf period, by their corrected business time', () => {
    const events = stream();
    expect(effectiveEvents(events, { asOf: '2017-05-04' }).map((e) => e.type)).toEqual(['AgreementDrafted']);
    expect(effectiveEvents(events, { asOf: '2017-05-05' }).map((e) => e.type)).toEqual([
      'AgreementDrafted',
      'MemorandumSigned',
    ]);
    expect(effectiveEvents(events, { asOf: '2017-05-06', knownAt: recordedAtOf(2) }).map((e) => e.type)).toEqual([
      'AgreementDrafted',
      'MemorandumSigned',
      'AgreementEnteredIntoForce',
    ]);
    expect(effectiveEvents(events, { asOf: '2017-04' })).toEqual([]);
  });

  it('a partial business time takes effect at its earliest instant', () => {
    expect(effectiveEvents(stream(), { asOf: '2017-05-01T00:00:00Z' }).map((e) => e.type)).toEqual([
      'AgreementDrafted',
    ]);
  });
});

describe('mergeCorrectedData', () => {
  it('replaces top-level fields and removes those set to null', () => {
    expect(mergeCorrectedData({ a: 1, b: { c: 2 }, d: 3 }, { b: { e: 4 }, d: null, f: 5 })).toEqual({
      a: 1,
      b: { e: 4 },
      f: 5,
    });
  });
});

describe('toEventEnvelope', () => {
  it('takes the business time from the metadata, keeps the stream id, and reads a missing schema version as 1', () => {
    expect(
      toEventEnvelope({
        eventId: eventIdOf(1),
        type: 'ProcessOpened',
        streamId: 'process-astana',
        revision: 0,
        data: { name: 'Astana' },
        metadata: { occurredAt: '2017-01' },
        recordedAt: '2017-07-06T12:00:00.000Z',
      }),
    ).toEqual({
      eventId: eventIdOf(1),
      type: 'ProcessOpened',
      streamId: 'process-astana',
      revision: 0,
      data: { name: 'Astana' },
      occurredAt: '2017-01',
      recordedAt: '2017-07-06T12:00:00.000Z',
      schemaVersion: 1,
    });
  });
});
