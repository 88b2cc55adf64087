import { jsonDepth, jsonErrorPosition } from './json-body';

const positionOf = (text: string) => {
  try {
    JSON.parse(text);
  } catch (err) {
    return jsonErrorPosition(text, (err as Error).message);
  }
  throw new Error('parsed');
};

describe('the JSON body parser', () => {
  it.each([
    ['{"a":tru}', 8],
    ['[1,2,]x', 5],
    ['{"a":1,, }', 7],
    ['{"a":1', 6],
    ['{"a":"x\u0001"}', 7],
  ])('names where %j stops being JSON (%d), also when V8 does not', (text, at) => {
    expect(positionOf(text)).toBe(at);
  });

  it('measures depth without recursion, stopping past the limit', () => {
    expect(jsonDepth({ a: [1, { b: 2 }] }, 10)).toBe(3);
    expect(jsonDepth('x', 10)).toBe(0);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonDepth(deep, 32)).toBe(33);
  });
});
