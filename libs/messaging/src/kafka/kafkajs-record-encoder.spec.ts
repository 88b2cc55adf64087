import { encodeRecord } from './kafkajs-record-encoder';

// kafkajs' own encoder (under jest it is always the original: jest ignores Node's module cache).
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (input: unknown) => { buffer: Buffer };

function randomText(random: () => number, max: number): string {
  const alphabet = ['a', 'Z', '0', '-', ':', '/', 'é', 'ß', '中', '😀', ' ', '"'];
  let text = '';
  const length = Math.floor(random() * max);
  for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe('the fast kafkajs record encoder', () => {
  it('writes exactly the bytes kafkajs writes, for the relay\'s messages and for odd ones', () => {
    const random = seeded(42);
    const cases: Array<Record<string, unknown>> = [
      { offsetDelta: 0, timestampDelta: 0, key: 'agreement-astana', value: '{"a":1}', headers: { ce_id: 'x', 'content-type': 'application/json' } },
      { offsetDelta: 3, timestampDelta: 5, key: null, value: null, headers: {} },
      { offsetDelta: 1999, timestampDelta: 2 ** 31 + 17, key: Buffer.from([0, 1, 2]), value: Buffer.alloc(300, 7) },
      { offsetDelta: 70_000, timestampDelta: -5, key: 'k', value: 'v', headers: { multi: ['a', 'bb', Buffer.from('ccc')] } },
      { offsetDelta: 12, timestampDelta: 2 ** 29, key: '', value: '', headers: { '': '' } },
      { offsetDelta: 1, timestampDelta: 2 ** 40 + 3, key: 'x'.repeat(20_000), value: 'y'.repeat(70_000), headers: { big: 'z'.repeat(200) } },
    ];
    for (let i = 0; i < 300; i += 1) {
      const headers: Record<string, string> = {};
      for (let h = 0; h < Math.floor(random() * 15); h += 1) headers[`ce_${randomText(random, 12)}`] = randomText(random, 80);
      cases.push({
        offsetDelta: Math.floor(random() * 5000),
        timestampDelta: Math.floor(random() * 100_000),
        key: randomText(random, 60),
        value: randomText(random, 600),
        headers,
      });
    }
    for (const input of cases) {
      expect(encodeRecord(input as never).buffer.equals(kafkajsRecord(input).buffer)).toBe(true);
    }
  });
});
