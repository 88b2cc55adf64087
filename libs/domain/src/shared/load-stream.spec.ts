import { agreementDecider } from '../agreement/agreement.decider';
import { eventIdOf, type Fact, recordedAtOf, toEnvelopes } from '../testing/given-when-then';
import { agreementCausalRank } from '../agreement/agreement.causal-rank';
import { inBusinessOrder } from './business-order';
import { applyCorrections } from './corrections';
import { advanceState, advanceStream, loadStream } from './load-stream';

const STREAM_ID = 'agreement-astana-memo';
const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };

// Recorded one minute apart from recordedAtOf(0) = 2017-07-06T12:00:00.000Z.
const facts: Fact[] = [
  { type: 'AgreementDrafted', data: { title: 'Memo', kind: 'memorandum', parties: [RUS, TUR] }, occurredAt: '2017-05' },
  { type: 'MemorandumSigned', data: { signatories: [RUS, TUR], place: 'Astana' }, occurredAt: '2017-05-04' },
  { type: 'AgreementEnteredIntoForce', data: {}, occurredAt: '2017-05-06' },
  { type: 'EventCorrected', data: { targetEventId: eventIdOf(2), occurredAt: '2017-05-05', reason: 'r' } },
  { type: 'AgreementSuspended', data: { reason: 'offensive' }, occurredAt: '2017-09' },
  { type: 'EventRetracted', data: { targetEventId: eventIdOf(5), reason: 'did not happen' } },
  { type: 'ProvisionAdded', data: { provisionId: 'idlib', kind: 'zone', title: 'Idlib' }, occurredAt: '2017-05-04' },
];
const recorded = () => toEnvelopes(facts, STREAM_ID);

describe('loadStream', () => {
  it('folds the effective events in business order: corrections applied once, retracted events and the corrections themselves left out', () => {
    const loaded = loadStream(agreementDecider, recorded());
    expect(loaded.effective).toEqual(inBusinessOrder(applyCorrections(recorded()), agreementCausalRank));
    // The provision, recorded last, took effect on 4 May: before the signature (corrected to 5 May).
    expect(loaded.effective.map((event) => event.type)).toEqual([
      'AgreementDrafted',
      'ProvisionAdded',
      'MemorandumSigned',
      'AgreementEnteredIntoForce',
    ]);
    expect(loaded.recorded).toHaveLength(7);
    expect(loaded.state.agreement).toMatchObject({ status: 'in-force', signedAt: '2017-05-05', provisions: [{ provisionId: 'idlib' }] });
  });

  it('gives the state the revision of the last recorded event, a correction included, and the stream id', () => {
    const loaded = loadStream(agreementDecider, recorded().slice(0, 6));
    expect([loaded.revision, loaded.state.revision, loaded.state.streamId]).toEqual([5, 5, STREAM_ID]);
    expect(loaded.state.agreement?.status).toBe('in-force');
  });

  it('an empty stream is the initial state at revision -1', () => {
    const loaded = loadStream(agreementDecider, []);
    expect(loaded).toEqual({ state: agreementDecider.initialState, revision: -1, recorded: [], effective: [] });
  });

  it('knownAt keeps what was recorded by then; asOf what had taken effect by then', () => {
    const knownBeforeCorrection = loadStream(agreementDecider, recorded(), { knownAt: recordedAtOf(2) });
    expect([knownBeforeCorrection.revision, knownBeforeCorrection.state.agreement?.signedAt]).toEqual([2, '2017-05-04']);
    const asOfSignature = loadStream(agreementDecider, recorded(), { asOf: '2017-05-05' });
    expect(asOfSignature.state.agreement).toMatchObject({ status: 'signed', provisions: [{ provisionId: 'idlib' }] });
    expect(asOfSignature.revision).toBe(6);
  });
});

describe('past answers carry the past revision', () => {
  it('given facts recorded after the date asked, an asOf answer carries the revision of the last event it includes', () => {
    // Revisions: 0 drafted 2017-05, 1 signed (corrected at 3 to 05-05), 2 in force 05-06, 4 suspended 2017-09 (retracted at 5), 6 provision 05-04.
    expect(loadStream(agreementDecider, recorded(), { asOf: '2017-05-03' }).state.revision).toBe(0);
    expect(loadStream(agreementDecider, recorded(), { asOf: '2017-05-04' }).revision).toBe(6);
    // The suspension dated September was retracted at revision 5: an answer for September includes that retraction.
    expect(loadStream(agreementDecider, recorded(), { asOf: '2017-09' }).state.revision).toBe(6);
    expect(loadStream(agreementDecider, recorded().slice(0, 6), { asOf: '2017-09' }).state.revision).toBe(5);
    expect(loadStream(agreementDecider, recorded().slice(0, 6), { asOf: '2017-08' }).state.revision).toBe(3);
  });
});

describe('advanceStream', () => {
  it('one event at a time gives the stream loaded at once, corrections included', () => {
    const all = recorded();
    let stream = loadStream(agreementDecider, all.slice(0, 0));
    for (let n = 0; n < all.length; n += 1) {
      stream = advanceStream(agreementDecider, stream, [all[n]]);
      expect(stream).toEqual(loadStream(agreementDecider, all.slice(0, n + 1)));
    }
  });

  it('leaves the stream it advanced as it was (cached streams are shared)', () => {
    const before = loadStream(agreementDecider, recorded().slice(0, 3));
    const copy = JSON.parse(JSON.stringify(before));
    advanceStream(agreementDecider, before, recorded().slice(3));
    expect(JSON.parse(JSON.stringify(before))).toEqual(copy);
  });
});

describe('advanceState', () => {
  it('folds facts onto the state, and gives up on a correction: only the caller holds the recorded events', () => {
    const all = recorded();
    const state = loadStream(agreementDecider, all.slice(0, 2)).state;
    expect(advanceState(agreementDecider, state, all.slice(2, 3))).toEqual(loadStream(agreementDecider, all.slice(0, 3)).state);
    expect(advanceState(agreementDecider, state, all.slice(2, 4))).toBeUndefined();
  });
});

describe('business order', () => {
  // Each fact keeps its id whatever its place in the recording order.
  const facts: Fact[] = [
    { type: 'AgreementDrafted', data: { title: 'Memo', kind: 'memorandum', parties: [RUS, TUR] }, occurredAt: '2017-05' },
    { type: 'AgreementEnteredIntoForce', data: {}, occurredAt: '2017-05-06' },
    { type: 'AgreementSuspended', data: { reason: 'offensive' }, occurredAt: '2017-09' },
    { type: 'MemorandumSigned', data: { signatories: [RUS, TUR] }, occurredAt: '2017-05-04' },
    { type: 'AgreementResumed', data: {}, occurredAt: '2017-10' },
  ].map((fact, n) => ({ ...fact, eventId: eventIdOf(100 + n) }));

  it('given the same facts recorded in two orders, loadStream folds them to the same agreement', () => {
    const [drafted, inForce, suspended, signed, resumed] = facts;
    const chronological = loadStream(agreementDecider, toEnvelopes([drafted, signed, inForce, suspended, resumed], STREAM_ID));
    const late = loadStream(agreementDecider, toEnvelopes(facts, STREAM_ID));
    expect(late.state.agreement).toEqual(chronological.state.agreement);
    expect(late.state.agreement).toMatchObject({ status: 'in-force', signedAt: '2017-05-04', statusSince: '2017-10' });
  });

  it('given a state, advanceState gives up on a fact that took effect before one already folded (the caller reloads)', () => {
    const all = toEnvelopes(facts, STREAM_ID);
    const state = loadStream(agreementDecider, all.slice(0, 3)).state;
    expect(advanceState(agreementDecider, state, all.slice(3, 4))).toBeUndefined();
    const advanced = advanceStream(agreementDecider, loadStream(agreementDecider, all.slice(0, 3)), all.slice(3));
    expect(advanced).toEqual(loadStream(agreementDecider, all));
  });
});
