import { diffViews, showValue } from './view-diff';

describe('the difference between a replayed view and a served one', () => {
  it('names each differing leaf by its path, members on one side only included', () => {
    const expected = { status: 'in-force', parties: [{ id: 'RUS', status: 'signed' }, { id: 'TUR', status: 'signed' }], term: { endsAt: null } };
    const served = { status: 'in-force', parties: [{ id: 'RUS', status: 'signed' }, { id: 'TUR', status: 'rejected' }, { id: 'IRN' }], extra: 1, term: {} };
    expect(diffViews(expected, served)).toEqual([
      { field: 'parties[1].status', expected: 'signed', served: 'rejected' },
      { field: 'parties[2]', expected: undefined, served: { id: 'IRN' } },
      { field: 'term.endsAt', expected: null, served: undefined },
      { field: 'extra', expected: undefined, served: 1 },
    ]);
  });

  it('finds nothing between equal views, and the whole view when one side has none', () => {
    expect(diffViews({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toEqual([]);
    expect(diffViews({ a: 1 }, undefined)).toEqual([{ field: '(the whole view)', expected: { a: 1 }, served: undefined }]);
    expect(showValue(undefined)).toBe('(absent)');
    expect(showValue('in-force')).toBe('"in-force"');
  });
});
