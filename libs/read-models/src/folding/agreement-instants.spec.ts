import { agreementCausalRank, agreementDecider, applyCorrections, inBusinessOrder, isCorrectionEvent, loadStream } from '@agreements/domain';
import { pick, seededRandom, uuidOf } from '../testing/random';
import { addEvent, agreementAt, buildInstants, currentAgreement, type Interval, provisionIntervals, statusIntervals } from './agreement-instants';
import { type StoredEvent, takesEffectAt } from './stored-event';

const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };
const TIMES = ['2017', '2017-05', '2017-05-04', '2017-05-04T10:00:00Z', '2017-05-06', '2017-06', '2017-06-01', '2017-07-04/2017-07-05', '2017-09', '2018'];

let counter = 0;
function event(type: string, data: Record<string, unknown>, occurredAt: string, revision: number): StoredEvent {
  counter += 1;
  return {
    eventId: uuidOf(counter, 7),
    type,
    data,
    occurredAt,
    recordedAt: new Date(Date.UTC(2017, 6, 6) + revision * 60_000).toISOString(),
    revision,
    position: String(counter),
    sources: [],
    schemaVersion: 1,
  };
}

/** A stream of agreement events in random business-time order, with corrections and retractions. */
function randomStream(random: () => number, length: number): StoredEvent[] {
  const events: StoredEvent[] = [event('AgreementDrafted', { title: 'Memo', kind: 'memorandum', parties: [RUS] }, pick(random, TIMES), 0)];
  const provisions = ['idlib', 'south', 'homs'];
  for (let revision = 1; revision < length; revision += 1) {
    const at = pick(random, TIMES);
    const roll = random();
    const earlier = events.filter((e) => !isCorrectionEvent(e.type));
    if (roll < 0.08 && earlier.length > 1) {
      const target = pick(random, earlier.slice(1));
      events.push(event('EventRetracted', { targetEventId: target.eventId, reason: 'wrong' }, at, revision));
    } else if (roll < 0.16) {
      const target = pick(random, earlier);
      events.push(event('EventCorrected', { targetEventId: target.eventId, occurredAt: pick(random, TIMES), reason: 'date' }, at, revision));
    } else {
      const kind = pick(random, [
        'MemorandumSigned',
        'AgreementEnteredIntoForce',
        'AgreementSuspended',
        'AgreementResumed',
        'ProvisionAdded',
        'ProvisionAssessed',
        'ProvisionAssessed',
        'PartyRejected',
        'AgreementTerminated',
        'TermSet',
      ]);
      const data: Record<string, Record<string, unknown>> = {
        MemorandumSigned: { signatories: [pick(random, [RUS, TUR])] },
        AgreementEnteredIntoForce: {},
        AgreementSuspended: {},
        AgreementResumed: {},
        ProvisionAdded: { provisionId: pick(random, provisions), kind: 'zone', title: 'Zone' },
        ProvisionAssessed: {
          provisionId: pick(random, provisions),
          status: pick(random, ['operating', 'violated', 'collapsed']),
          ...(random() < 0.5 ? { level: Math.floor(random() * 4) } : {}),
        },
        PartyRejected: { party: { id: 'group:opposition', name: 'Opposition' } },
        AgreementTerminated: { reason: 'ended' },
        TermSet: { duration: 'P6M', renewal: 'none' },
      };
      events.push(event(kind, data[kind], at, revision));
    }
  }
  return events;
}

function shown(intervals: Interval[]) {
  return intervals.map((i) => [i.value, i.from, i.to, i.event.eventId, i.opened.provisions]);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

describe('agreement instants', () => {
  it('give, at every instant, exactly the domain fold of the events effective by then (asOf), for streams recorded out of business order', () => {
    const random = seededRandom(20170504);
    for (let run = 0; run < 300; run += 1) {
      const events = randomStream(random, 2 + Math.floor(random() * 25));
      const instants = buildInstants(applyCorrections(events), Number.POSITIVE_INFINITY);
      const probes = new Set<number>([Date.UTC(2016, 0, 1), Date.UTC(2030, 0, 1)]);
      for (const instant of instants) {
        probes.add(instant.at);
        probes.add(instant.at - 1);
      }
      for (const at of probes) {
        expect(agreementAt(instants, at)).toEqual(loadStream(agreementDecider, events, { asOf: iso(at) }).state.agreement);
      }
      expect(currentAgreement(instants)).toEqual(loadStream(agreementDecider, events).state.agreement);
    }
  });

  it('built one event at a time in business order give the same instants as built at once; an earlier event asks for a refold', () => {
    const random = seededRandom(42);
    let refusedOutOfOrder = 0;
    for (let run = 0; run < 200; run += 1) {
      const events = randomStream(random, 2 + Math.floor(random() * 20)).filter((e) => !isCorrectionEvent(e.type));
      let incremental = buildInstants([]);
      for (const e of inBusinessOrder(events, agreementCausalRank)) incremental = addEvent(incremental, e, Number.POSITIVE_INFINITY)!;
      expect(incremental).toEqual(buildInstants(events, Number.POSITIVE_INFINITY));
      const [first] = inBusinessOrder(events, agreementCausalRank);
      const later = incremental.length > 0 && incremental[incremental.length - 1].at > takesEffectAt(first);
      if (later) {
        expect(addEvent(incremental, { ...first, revision: 999 }, Number.POSITIVE_INFINITY)).toBeUndefined();
        refusedOutOfOrder += 1;
      }
    }
    expect(refusedOutOfOrder).toBeGreaterThan(0);
  });

  it('with only the newest instants kept: the same intervals, or a refusal when an event lands on a frozen instant', () => {
    const random = seededRandom(99);
    let refused = 0;
    for (let run = 0; run < 300; run += 1) {
      const events = randomStream(random, 2 + Math.floor(random() * 30)).filter((e) => !isCorrectionEvent(e.type));
      let kept: ReturnType<typeof buildInstants> | undefined = buildInstants([], 3);
      for (const e of events) {
        kept = kept && addEvent(kept, e, 3);
      }
      const full = buildInstants(events, Number.POSITIVE_INFINITY);
      if (!kept) {
        refused += 1;
        continue;
      }
      expect(kept.filter((i) => i.agreement !== undefined).length).toBeLessThanOrEqual(3);
      expect(shown(statusIntervals(kept))).toEqual(shown(statusIntervals(full)));
      expect([...provisionIntervals(kept)].map(([id, list]) => [id, shown(list)])).toEqual([...provisionIntervals(full)].map(([id, list]) => [id, shown(list)]));
      expect(currentAgreement(kept)).toEqual(currentAgreement(full));
    }
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(300);
  });

  it('chain status and provision intervals in order, contiguous, each closed by the next, the last open', () => {
    const random = seededRandom(7);
    for (let run = 0; run < 200; run += 1) {
      const instants = buildInstants(applyCorrections(randomStream(random, 2 + Math.floor(random() * 25))));
      const all = [statusIntervals(instants), ...provisionIntervals(instants).values()];
      for (const intervals of all) {
        for (let i = 0; i < intervals.length; i += 1) {
          const interval = intervals[i];
          if (interval.to !== null) expect(interval.to).toBeGreaterThan(interval.from);
          if (i + 1 < intervals.length) {
            // A value that disappears (its event retracted) leaves a gap; otherwise contiguous.
            expect(interval.to).not.toBeNull();
            expect(intervals[i + 1].from).toBeGreaterThanOrEqual(interval.to as number);
            expect(intervals[i + 1].value === interval.value && intervals[i + 1].from === interval.to).toBe(false);
          }
        }
      }
      const statuses = statusIntervals(instants);
      for (let i = 0; i + 1 < statuses.length; i += 1) expect(statuses[i].to).toBe(statuses[i + 1].from);
      if (statuses.length > 0) expect(statuses[statuses.length - 1].to).toBeNull();
    }
  });

  it('opens an interval with the event that changed the value, at the earliest instant of its business time', () => {
    const draft = event('AgreementDrafted', { title: 'Memo', kind: 'memorandum', parties: [RUS] }, '2017-05', 0);
    const inForce = event('AgreementEnteredIntoForce', {}, '2017-05-06', 1);
    // Recorded after the entry into force, took effect before it.
    const signed = event('MemorandumSigned', { signatories: [RUS] }, '2017-05-04', 2);
    const intervals = statusIntervals(buildInstants([draft, inForce, signed]));
    expect(intervals.map((i) => [i.value, iso(i.from), i.to === null ? null : iso(i.to), i.event.eventId])).toEqual([
      ['draft', '2017-05-01T00:00:00.000Z', '2017-05-04T00:00:00.000Z', draft.eventId],
      ['signed', '2017-05-04T00:00:00.000Z', '2017-05-06T00:00:00.000Z', signed.eventId],
      ['in-force', '2017-05-06T00:00:00.000Z', null, inForce.eventId],
    ]);
  });

  it('closes the open provision intervals when the agreement ends, in business order whatever the recording order', () => {
    const draft = event('AgreementDrafted', { title: 'Memo', kind: 'memorandum', parties: [RUS] }, '2017-05', 0);
    const zone = event('ProvisionAdded', { provisionId: 'idlib', kind: 'zone', title: 'Idlib' }, '2017-05-04', 1);
    const signed = event('MemorandumSigned', { signatories: [RUS] }, '2017-05-04', 2);
    const terminated = event('AgreementTerminated', { reason: 'war' }, '2018-01', 3);
    // Recorded after the termination, dated before it.
    const operating = event('ProvisionAssessed', { provisionId: 'idlib', status: 'operating' }, '2017-09', 4);
    const intervals = provisionIntervals(buildInstants([draft, zone, signed, terminated, operating])).get('idlib') ?? [];
    expect(intervals.map((i) => [i.value, iso(i.from), i.to === null ? null : iso(i.to)])).toEqual([
      ['planned', '2017-05-04T00:00:00.000Z', '2017-09-01T00:00:00.000Z'],
      ['operating', '2017-09-01T00:00:00.000Z', '2018-01-01T00:00:00.000Z'],
    ]);
  });
});
