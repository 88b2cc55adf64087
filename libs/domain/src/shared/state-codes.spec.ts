import { iso31661, iso31663 } from 'iso-3166';
import {
  closestStateCodes,
  editDistance,
  isKnownStateCode,
  knownState,
  knownStateCodes,
  looksLikeStateCode,
  unknownStateCodeMessage,
} from './state-codes';

describe('the state code list (ISO 3166-1 alpha-3 and the former codes of ISO 3166-3)', () => {
  it('knows every current alpha-3 code of the package, named as the package names it', () => {
    for (const entry of iso31661)
      expect(knownState(entry.alpha3)).toEqual({ code: entry.alpha3, name: entry.name, former: false });
    expect(knownState('USA')?.name).toBe('United States of America');
  });

  it.each([
    ['SUN', 'USSR'],
    ['YUG', 'Yugoslavia'],
    ['CSK', 'Czechoslovakia'],
    ['DDR', 'German Democratic Republic'],
    ['SCG', 'Serbia and Montenegro'],
    ['ZAR', 'Zaire'],
  ])('knows the former state %s, under its former name %s', (code, name) => {
    expect(knownState(code)).toEqual({ code, name, former: true });
  });

  it('knows every former code of ISO 3166-3 that is not assigned again, and nothing else', () => {
    const former = new Set(iso31663.map((change) => change.from.alpha3));
    const current = new Set(iso31661.map((entry) => entry.alpha3));
    for (const code of former) expect(isKnownStateCode(code)).toBe(true);
    expect(knownStateCodes().length).toBe(new Set([...current, ...former]).size);
    expect([...knownStateCodes()].sort()).toEqual(knownStateCodes());
  });

  it('keeps a code that is both former and current (ATF) as the current territory', () => {
    expect(knownState('ATF')).toEqual(expect.objectContaining({ former: false, name: 'French Southern Territories' }));
  });

  it.each(['XXX', 'ABC', 'usa', 'US', 'USAA', ''])('does not know %j', (code) => {
    expect(isKnownStateCode(code)).toBe(false);
  });

  it('reads three upper-case letters as a claim to be a state, and nothing else', () => {
    expect(['XXX', 'USA'].map(looksLikeStateCode)).toEqual([true, true]);
    expect(['usa', 'igo:un', 'US', 'USAA'].map(looksLikeStateCode)).toEqual([false, false, false, false]);
  });
});

describe('the closest known codes to an unknown one', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['USA', 'USA', 0],
    ['USA', 'UZA', 1],
    ['XXX', 'USA', 3],
    ['', 'ABC', 3],
  ])('edit distance %s -> %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });

  it('given a typo in the last letter, names the code it was meant to be first', () => {
    expect(closestStateCodes('RUZ')[0].code).toBe('RUS');
    expect(
      closestStateCodes('SUM')
        .map((state) => state.code)
        .slice(0, 2),
    ).toEqual(['SUN', 'SUR']);
  });

  it('names a few codes, all at the smallest distances there are', () => {
    const closest = closestStateCodes('SUM');
    expect(closest).toHaveLength(5);
    for (const state of closest) expect(editDistance('SUM', state.code)).toBe(1);
  });

  it('given a code in lower case, names the code first', () => {
    expect(closestStateCodes('usa')[0].code).toBe('USA');
  });

  it('orders codes as near by the letters they keep, then alphabetically: the same code always gets the same answer', () => {
    const closest = closestStateCodes('XXX', 8);
    const distances = closest.map((state) => editDistance('XXX', state.code));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(closestStateCodes('XXX', 8)).toEqual(closest);
    expect(closestStateCodes('SUM', 3).map((state) => state.code)).toEqual(['SUN', 'SUR', 'SJM']);
  });

  it('says what the rule is and names the closest codes with their names, former ones marked', () => {
    const message = unknownStateCodeMessage('SUM');
    expect(message).toMatch(
      /^SUM is not an ISO 3166-1 alpha-3 code nor a former code of ISO 3166-3; closest known codes: /,
    );
    expect(message).toContain('SUN (USSR, former)');
    for (const state of closestStateCodes('SUM')) expect(message).toContain(`${state.code} (${state.name}`);
  });
});
