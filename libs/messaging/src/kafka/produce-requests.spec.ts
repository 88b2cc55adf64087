import { messageBytes, produceRequests } from './produce-requests';

const message = (key: string, value: string) => ({ key, value, headers: { h: 'v' } });

describe('produce requests', () => {
  it('keep every message once, in order, each request under the limit unless a message is larger alone', () => {
    const events = Array.from({ length: 25 }, (_, i) => message(`e${i}`, 'x'.repeat(50 + i)));
    const statuses = Array.from({ length: 7 }, (_, i) => message(`s${i}`, 'y'.repeat(40)));
    const big = message('big', 'z'.repeat(1000));
    const limit = 400;
    const requests = produceRequests(
      [
        { topic: 'events', messages: [...events, big] },
        { topic: 'status', messages: statuses },
      ],
      limit,
    );
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.flatMap((r) => r.flatMap((t) => t.messages.map((m) => `${t.topic}:${m.key}`)))).toEqual([
      ...events.map((m) => `events:${m.key}`),
      'events:big',
      ...statuses.map((m) => `status:${m.key}`),
    ]);
    for (const request of requests) {
      const bytes = request.flatMap((t) => t.messages).reduce((n, m) => n + messageBytes(m), 0);
      const alone = request.length === 1 && request[0].messages.length === 1;
      expect(bytes <= limit || alone).toBe(true);
      expect(request.every((t) => t.messages.length > 0)).toBe(true);
    }
  });

  it('is one request when everything fits, and none for nothing', () => {
    expect(produceRequests([{ topic: 'events', messages: [message('a', 'b')] }, { topic: 'status', messages: [] }], 1000)).toEqual([
      [{ topic: 'events', messages: [message('a', 'b')] }],
    ]);
    expect(produceRequests([{ topic: 'events', messages: [] }], 1000)).toEqual([]);
  });
});
