import { formatBusinessTime, parsePartialDate } from '../dates';
import { buildTimelineModel, laneName } from './model';

describe('business time as the console shows and draws it', () => {
  it('says a date as precise as it was written', () => {
    expect(formatBusinessTime('2017')).toBe('2017');
    expect(formatBusinessTime('2017-05')).toBe('May 2017');
    expect(formatBusinessTime('2017-05-04')).toBe('4 May 2017');
    expect(formatBusinessTime('2017-07-04/2017-07-05')).toBe('4 July 2017 to 5 July 2017');
    expect(formatBusinessTime('2017-05-04T10:30:00Z')).toBe('4 May 2017 10:30 UTC');
  });

  it('draws a month a month wide and refuses what is not a date', () => {
    const may = parsePartialDate('2017-05')!;
    expect([new Date(may.start).toISOString(), new Date(may.end).toISOString()]).toEqual(['2017-05-01T00:00:00.000Z', '2017-06-01T00:00:00.000Z']);
    expect(parsePartialDate('2017-13')).toBeUndefined();
    expect(parsePartialDate('2017-02-30')).toBeUndefined();
  });

  it('names the status lane the way the issue asks, with a month-wide start for a month-precise draft', () => {
    const at = (occurredAt: string, from: string, to: string | null, status: string, eventId: string) => ({ status, from, to, occurredAt, eventId, precision: 'x' });
    const model = buildTimelineModel(
      {
        statuses: [
          at('2017-05', '2017-05-01T00:00:00.000Z', '2017-05-04T00:00:00.000Z', 'draft', 'e1'),
          at('2017-05-04', '2017-05-04T00:00:00.000Z', '2017-05-04T00:00:00.000Z', 'signed', 'e2'),
          at('2017-05-04', '2017-05-04T00:00:00.000Z', null, 'in-force', 'e3'),
        ],
        parties: { RUS: [{ status: 'signed', from: '2017-05-04T00:00:00.000Z', to: null, eventId: 'e2' }] },
        provisions: {},
      },
      { parties: [{ id: 'RUS', name: 'Russia' }], provisions: [], breaches: [{ eventId: 'b', allegedBy: { id: 'TUR', name: 'Turkey' }, description: 'x', occurredAt: '2017-06' }] },
    );
    expect(laneName(model.status)).toBe('Status: draft from May 2017, signed from 4 May 2017, in force from 4 May 2017');
    expect(laneName(model.parties[0])).toBe('Russia: signed from 4 May 2017');
    expect(model.status.segments[0].startEnd).toBe(Date.UTC(2017, 5, 1));
    expect(model.status.segments[1].startEnd).toBe(model.status.segments[1].from);
    expect(model.markers.map((m) => [m.kind, m.atEnd - m.at])).toEqual([['breach', 30 * 86_400_000]]);
  });
});
