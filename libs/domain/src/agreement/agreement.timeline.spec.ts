import { eventIdOf, type Fact, recordedAtOf, toEnvelopes } from '../testing/given-when-then';
import { agreementTimeline } from './agreement.timeline';

const RUS = { id: 'RUS', name: 'Russia' };
const drafted: Fact = {
  type: 'AgreementDrafted',
  data: { title: 'Memo', kind: 'memorandum', parties: [RUS] },
  occurredAt: '2017-05',
};
const signed: Fact = { type: 'MemorandumSigned', data: { signatories: [RUS] }, occurredAt: '2017-05-04' };
const inForce: Fact = { type: 'AgreementEnteredIntoForce', data: {}, occurredAt: '2017-05-06' };
const added: Fact = {
  type: 'ProvisionAdded',
  data: { provisionId: 'idlib', kind: 'zone', title: 'Idlib' },
  occurredAt: '2017-05-04',
};
const assessed = (status: string, occurredAt: string, level?: number): Fact => ({
  type: 'ProvisionAssessed',
  data: { provisionId: 'idlib', status, ...(level === undefined ? {} : { level }) },
  occurredAt,
});

describe('agreement timeline', () => {
  it('chains the status intervals, each opened by its event with its precision', () => {
    const timeline = agreementTimeline(
      toEnvelopes([drafted, signed, inForce, { type: 'AgreementSuspended', data: {}, occurredAt: '2017-09' }]),
      'memo',
    );
    expect(timeline?.statuses).toEqual([
      { status: 'draft', from: '2017-05', to: '2017-05-04', precision: 'month', eventId: eventIdOf(1) },
      { status: 'signed', from: '2017-05-04', to: '2017-05-06', precision: 'day', eventId: eventIdOf(2) },
      { status: 'in-force', from: '2017-05-06', to: '2017-09', precision: 'day', eventId: eventIdOf(3) },
      { status: 'suspended', from: '2017-09', to: null, precision: 'month', eventId: eventIdOf(4) },
    ]);
  });

  it('a second signature does not open a new interval', () => {
    const later: Fact = {
      type: 'MemorandumSigned',
      data: { signatories: [{ id: 'TUR', name: 'Turkey' }] },
      occurredAt: '2017-05-05',
    };
    expect(agreementTimeline(toEnvelopes([drafted, signed, later]), 'memo')?.statuses.map((s) => s.status)).toEqual([
      'draft',
      'signed',
    ]);
  });

  it("gives each provision's status intervals, a new one when the status or level changes", () => {
    const timeline = agreementTimeline(
      toEnvelopes([
        drafted,
        signed,
        added,
        assessed('operating', '2017-06', 2),
        assessed('operating', '2017-07', 2),
        assessed('collapsed', '2018-01'),
      ]),
      'memo',
    );
    expect(timeline?.provisions).toEqual({
      idlib: [
        { status: 'planned', from: '2017-05-04', to: '2017-06', precision: 'day', eventId: eventIdOf(3) },
        { status: 'operating', level: 2, from: '2017-06', to: '2018-01', precision: 'month', eventId: eventIdOf(4) },
        { status: 'collapsed', from: '2018-01', to: null, precision: 'month', eventId: eventIdOf(6) },
      ],
    });
  });

  it('orders intervals by business time even when recorded out of order', () => {
    const timeline = agreementTimeline(
      toEnvelopes([drafted, signed, added, assessed('collapsed', '2018-01'), assessed('operating', '2017-06')]),
      'memo',
    );
    expect(timeline?.provisions.idlib.map((i) => [i.status, i.from, i.to])).toEqual([
      ['planned', '2017-05-04', '2017-06'],
      ['operating', '2017-06', '2018-01'],
      ['collapsed', '2018-01', null],
    ]);
  });

  it('applies corrections, and shows the old belief with knownAt', () => {
    const corrected: Fact = {
      type: 'EventCorrected',
      data: { targetEventId: eventIdOf(3), occurredAt: '2017-05-07', reason: 'r' },
    };
    const events = toEnvelopes([drafted, signed, inForce, corrected]);
    expect(agreementTimeline(events, 'memo')?.statuses[2]).toMatchObject({ status: 'in-force', from: '2017-05-07' });
    expect(agreementTimeline(events, 'memo', { knownAt: recordedAtOf(2) })?.statuses[2]).toMatchObject({
      status: 'in-force',
      from: '2017-05-06',
    });
  });

  it('is null when there is no agreement', () => {
    expect(agreementTimeline([], 'memo')).toBeNull();
    expect(
      agreementTimeline(
        toEnvelopes([drafted, { type: 'EventRetracted', data: { targetEventId: eventIdOf(1), reason: 'r' } }]),
        'memo',
      ),
    ).toBeNull();
  });
});
