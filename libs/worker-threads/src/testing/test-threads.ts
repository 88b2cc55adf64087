// Thread bodies for worker-thread.spec.ts.
import { threadBody } from '../thread-body';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class CodedError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

export type ArithmeticRequest =
  { op: 'add'; a: number; b: number } | { op: 'fail'; message: string } | { op: 'exit' } | { op: 'throw-later' };

/** Adds, fails on demand, or brings its thread down. */
export const arithmetic = threadBody({
  open(data: { offset: number }, thread: { emit(event: string): void }) {
    thread.emit(`opened with offset ${data.offset}`);
    return {
      async handle(request: ArithmeticRequest): Promise<number> {
        switch (request.op) {
          case 'add':
            await sleep(request.a);
            return request.a + request.b + data.offset;
          case 'fail':
            throw new CodedError(request.message, 'E_ASKED');
          case 'exit':
            process.exit(3);
            return 0;
          case 'throw-later':
            setTimeout(() => {
              throw new Error('uncaught in the thread');
            }, 0);
            return new Promise<number>(() => undefined);
        }
      },
      close() {
        thread.emit('closed');
      },
    };
  },
});

/** Answers in request order although later requests finish sooner. */
export const ordered = threadBody({
  ordered: true,
  open(_data: null) {
    return {
      async handle(delayMs: number): Promise<number> {
        await sleep(delayMs);
        return delayMs;
      },
    };
  },
});

export const failsToOpen = threadBody({
  async open(_data: null) {
    throw new Error('cannot open');
  },
});

/** A body whose close leaves a timer behind: stop() ends the thread anyway. */
export const lingering = threadBody({
  open(_data: null) {
    return {
      handle: (n: number) => n,
      close() {
        setInterval(() => undefined, 1_000);
      },
    };
  },
});
