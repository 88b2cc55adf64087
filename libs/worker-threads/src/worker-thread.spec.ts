import { join } from 'node:path';
import type { arithmetic, failsToOpen, lingering, ordered } from './testing/test-threads';
import { WorkerThread } from './worker-thread';

const BODIES = join(__dirname, 'testing', 'test-threads');

function startArithmetic(onCrash?: (error: Error) => void, events: string[] = []) {
  return WorkerThread.start<typeof arithmetic>({
    module: BODIES,
    export: 'arithmetic',
    data: { offset: 100 },
    name: 'arithmetic thread',
    onCrash,
    onEvent: (event) => events.push(event),
  });
}

describe('WorkerThread', () => {
  it('answers each request with its own reply, whatever order they finish in', async () => {
    const thread = startArithmetic();
    try {
      const replies = await Promise.all([
        thread.request({ op: 'add', a: 40, b: 1 }),
        thread.request({ op: 'add', a: 0, b: 2 }),
        thread.request({ op: 'add', a: 20, b: 3 }),
      ]);
      expect(replies).toEqual([141, 102, 123]);
      expect(thread.pending).toBe(0);
    } finally {
      await thread.stop();
    }
  });

  it("rejects a request with the body's error as an Error: message, name and code kept, the thread named", async () => {
    const thread = startArithmetic();
    try {
      const error = await thread.request({ op: 'fail', message: 'no such thing' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ message: 'arithmetic thread: no such thing', name: 'CodedError', code: 'E_ASKED' });
      // The thread goes on answering.
      await expect(thread.request({ op: 'add', a: 0, b: 1 })).resolves.toBe(101);
    } finally {
      await thread.stop();
    }
  });

  it('answers an ordered body in request order', async () => {
    const thread = WorkerThread.start<typeof ordered>({
      module: BODIES,
      export: 'ordered',
      data: null,
      name: 'ordered thread',
    });
    try {
      const finished: number[] = [];
      await Promise.all([60, 30, 0].map((delay) => thread.request(delay).then((reply) => finished.push(reply))));
      expect(finished).toEqual([60, 30, 0]);
    } finally {
      await thread.stop();
    }
  });

  it('passes on what the thread emits, and stops cleanly: accepted requests answered, the body closed, no crash reported', async () => {
    const crashes: Error[] = [];
    const events: string[] = [];
    const thread = startArithmetic((error) => crashes.push(error), events);
    await thread.ready();
    const answered = thread.request({ op: 'add', a: 50, b: 0 });
    await thread.stop();
    await expect(answered).resolves.toBe(150);
    expect(events).toEqual(['opened with offset 100', 'closed']);
    expect(crashes).toEqual([]);
    await expect(thread.request({ op: 'add', a: 0, b: 0 })).rejects.toThrow('arithmetic thread is stopped');
  });

  it('ends a thread whose body left something running once the body is closed', async () => {
    const thread = WorkerThread.start<typeof lingering>({
      module: BODIES,
      export: 'lingering',
      data: null,
      name: 'lingering thread',
    });
    await expect(thread.request(7)).resolves.toBe(7);
    const started = Date.now();
    await thread.stop({ timeoutMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports a thread that exits on its own as a crash, once, and fails what waits', async () => {
    const crashes: Error[] = [];
    const thread = startArithmetic((error) => crashes.push(error));
    const waiting = thread.request({ op: 'add', a: 5_000, b: 0 });
    await expect(thread.request({ op: 'exit' })).rejects.toThrow('arithmetic thread exited (code 3)');
    await expect(waiting).rejects.toThrow('arithmetic thread exited (code 3)');
    expect(crashes.map((error) => error.message)).toEqual(['arithmetic thread exited (code 3)']);
    expect(thread.failure?.message).toBe('arithmetic thread exited (code 3)');
    await expect(thread.request({ op: 'add', a: 0, b: 0 })).rejects.toThrow('exited');
    await thread.stop();
  });

  it('reports an uncaught error in the thread as a crash', async () => {
    const crashes: Error[] = [];
    const thread = startArithmetic((error) => crashes.push(error));
    await expect(thread.request({ op: 'throw-later' })).rejects.toThrow('uncaught in the thread');
    expect(crashes).toHaveLength(1);
    await thread.stop();
  });

  it('rejects ready() and reports a crash when the body fails to open', async () => {
    const crashes: Error[] = [];
    const thread = WorkerThread.start<typeof failsToOpen>({
      module: BODIES,
      export: 'failsToOpen',
      data: null,
      name: 'broken thread',
      onCrash: (error) => crashes.push(error),
    });
    await expect(thread.ready()).rejects.toThrow('broken thread failed to start: cannot open');
    expect(crashes).toHaveLength(1);
    await thread.stop();
  });

  it('fails a request the thread does not answer in time', async () => {
    const thread = startArithmetic();
    try {
      await expect(thread.request({ op: 'add', a: 2_000, b: 0 }, { timeoutMs: 50 })).rejects.toThrow(
        'arithmetic thread did not answer within 50 ms',
      );
    } finally {
      await thread.stop();
    }
  });
});
